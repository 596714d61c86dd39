import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withConfigTable } from './config.docs.ts';
import { maskedPostgresUrl, postgresConfigProblems } from './config.postgres.ts';
import { ConfigError, loadConfig, unknownSettings, vastConfigProblems } from './config.ts';

describe('config', () => {
  it('has a default for every setting', () => {
    const config = loadConfig({});
    expect(config.TAMS_PORT).toBe(8000);
    expect(config.TAMS_DATA_DIR).toBe('./data');
    expect(config.TAMS_PUBLIC_URL).toBe('');
    expect(config.TAMS_SWAGGER_UI).toBe(true);
  });

  it('converts env strings to the schema types', () => {
    const config = loadConfig({ TAMS_PORT: '9000', TAMS_SWAGGER_UI: 'false', TAMS_LOG_LEVEL: 'debug' });
    expect(config.TAMS_PORT).toBe(9000);
    expect(config.TAMS_SWAGGER_UI).toBe(false);
    expect(config.TAMS_LOG_LEVEL).toBe('debug');
  });

  it('lists every invalid value at once', () => {
    let error: unknown;
    try {
      loadConfig({
        TAMS_PORT: 'eighty',
        TAMS_LOG_LEVEL: 'loud',
        TAMS_SWAGGER_UI: 'maybe',
        TAMS_PUBLIC_URL: 'ftp://x',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/TAMS_PORT: must be an integer >= 0 and <= 65535 \(got "eighty"\)/);
    expect(problems.join('\n')).toMatch(
      /TAMS_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent/,
    );
    expect(problems.join('\n')).toMatch(/TAMS_SWAGGER_UI: must be true or false/);
    expect(problems.join('\n')).toMatch(/TAMS_PUBLIC_URL: must be an http\(s\) URL/);
  });

  it('rejects a port out of range and a default page size above the maximum', () => {
    expect(() => loadConfig({ TAMS_PORT: '70000' })).toThrow(/TAMS_PORT/);
    expect(() => loadConfig({ TAMS_PAGE_LIMIT_DEFAULT: '500', TAMS_PAGE_LIMIT_MAX: '100' })).toThrow(
      /TAMS_PAGE_LIMIT_DEFAULT: must not exceed TAMS_PAGE_LIMIT_MAX/,
    );
  });

  it('names a client URL host list entry that is no host, pattern, address or CIDR range', () => {
    expect(() =>
      loadConfig({
        TAMS_CLIENT_URL_HOSTS_ALLOW: 'media.example.com, 10.0.0.0/8, *.cdn.example.net, fd00::/8',
      }),
    ).not.toThrow();
    expect(() => loadConfig({ TAMS_CLIENT_URL_HOSTS_ALLOW: 'media.example.com, http://x/' })).toThrow(
      /TAMS_CLIENT_URL_HOSTS_ALLOW: "http:\/\/x\/" is a URL: give its host alone/,
    );
    expect(() => loadConfig({ TAMS_CLIENT_URL_HOSTS_DENY: '10.0.0.0/40' })).toThrow(
      /TAMS_CLIENT_URL_HOSTS_DENY: "10.0.0.0\/40" is not a CIDR range/,
    );
    expect(() => loadConfig({ TAMS_CLIENT_URL_HOSTS_DENY: 'a b' })).toThrow(
      /TAMS_CLIENT_URL_HOSTS_DENY: "a b" is not a host name/,
    );
  });

  it('reports unknown TAMS_* variables without failing', () => {
    expect(unknownSettings({ TAMS_PROT: '1', TAMS_PORT: '1', HOME: '/' })).toEqual(['TAMS_PROT']);
    expect(() => loadConfig({ TAMS_PROT: '1' })).not.toThrow();
  });

  it('docs/configuration.md carries the generated table of settings', () => {
    const doc = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    expect(withConfigTable(doc)).toBe(doc);
  });
});

describe('PostgreSQL settings', () => {
  const problems = (env: Record<string, string>) => postgresConfigProblems(loadConfig(env));
  const url = 'postgres://tams:secret@db.example:5432/media';

  it('accepts a URL, with defaults for the rest', () => {
    expect(problems({ TAMS_POSTGRES_URL: url })).toEqual([]);
    const config = loadConfig({ TAMS_DB: 'postgres', TAMS_POSTGRES_URL: url });
    expect(config.TAMS_POSTGRES_SCHEMA).toBe('tams');
    expect(config.TAMS_POSTGRES_POOL).toBe(10);
    expect(config.TAMS_POSTGRES_TLS).toBe('url');
  });

  it('names a missing or foreign URL without its password, and TLS said twice', () => {
    expect(problems({})).toEqual(['TAMS_POSTGRES_URL: required with TAMS_DB=postgres']);
    expect(problems({ TAMS_POSTGRES_URL: 'mysql://tams:secret@db/media' })).toEqual([
      'TAMS_POSTGRES_URL: "mysql://tams:***@db/media" is not a postgres://user:password@host:port/database URL',
    ]);
    expect(
      problems({ TAMS_POSTGRES_URL: `${url}?sslmode=verify-full`, TAMS_POSTGRES_TLS: 'insecure' }),
    ).toEqual(['TAMS_POSTGRES_TLS: insecure and an sslmode in TAMS_POSTGRES_URL: say it in one place']);
    expect(problems({ TAMS_POSTGRES_URL: url, TAMS_POSTGRES_CA_FILE: '/no/such/ca.pem' })).toEqual([
      'TAMS_POSTGRES_CA_FILE: used only with TAMS_POSTGRES_TLS=verify',
    ]);
    expect(
      problems({
        TAMS_POSTGRES_URL: url,
        TAMS_POSTGRES_TLS: 'verify',
        TAMS_POSTGRES_CA_FILE: '/no/such/ca.pem',
      }),
    ).toEqual(['TAMS_POSTGRES_CA_FILE: no such file "/no/such/ca.pem"']);
    expect(() => loadConfig({ TAMS_DB: 'postgres' })).toThrow(/TAMS_POSTGRES_URL: required/);
    expect(() => loadConfig({ TAMS_POSTGRES_SCHEMA: 'Bad-Name' })).toThrow(
      /TAMS_POSTGRES_SCHEMA: must match/,
    );
  });

  it('masks only the password of a URL', () => {
    expect(maskedPostgresUrl(url)).toBe('postgres://tams:***@db.example:5432/media');
    expect(maskedPostgresUrl('postgres://tams@db/media')).toBe('postgres://tams@db/media');
  });
});

describe('VAST settings', () => {
  const vast = (env: Record<string, string>) => vastConfigProblems(loadConfig(env));
  const good = {
    TAMS_VAST_ENDPOINTS: 'https://10.0.0.1, http://vast.example:8080',
    TAMS_VAST_ACCESS_KEY: 'AK',
    TAMS_VAST_SECRET_KEY: 'SK',
    TAMS_VAST_BUCKET: 'tamsdb',
  };

  it('accepts endpoints, keys and bucket, with defaults for the rest', () => {
    expect(vast(good)).toEqual([]);
    const config = loadConfig(good);
    expect(config.TAMS_VAST_SCHEMA).toBe('tams');
    expect(config.TAMS_VAST_REGION).toBe('');
    expect(config.TAMS_VAST_RETRY_ATTEMPTS).toBe(5);
  });

  it('names a bad endpoint URL and every missing key, hiding credentials in URLs', () => {
    const problems = vast({
      TAMS_VAST_ENDPOINTS: 'vast.example, https://user:pw@h, https://h/path, ftp://h',
    });
    expect(problems).toEqual([
      'TAMS_VAST_ENDPOINTS: "vast.example" is not an http(s)://host[:port] URL',
      'TAMS_VAST_ENDPOINTS: "https://***@h" is not an http(s)://host[:port] URL',
      'TAMS_VAST_ENDPOINTS: "https://h/path" is not an http(s)://host[:port] URL',
      'TAMS_VAST_ENDPOINTS: "ftp://h" is not an http(s)://host[:port] URL',
      'TAMS_VAST_ACCESS_KEY: required with TAMS_DB=vast',
      'TAMS_VAST_SECRET_KEY: required with TAMS_DB=vast',
      'TAMS_VAST_BUCKET: required with TAMS_DB=vast',
    ]);
    expect(vast({})).toContain('TAMS_VAST_ENDPOINTS: at least one endpoint URL is required');
    expect(vast({ ...good, TAMS_VAST_CA_FILE: '/no/such/ca.pem' })).toEqual([
      'TAMS_VAST_CA_FILE: no such file "/no/such/ca.pem"',
    ]);
  });

  it('are not checked while another engine is chosen', () => {
    expect(() => loadConfig({ TAMS_VAST_ENDPOINTS: 'not a url' })).not.toThrow();
  });
});
