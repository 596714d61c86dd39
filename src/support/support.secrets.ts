import type { Config } from '../config.ts';
import { loadStorageBackends, type StorageBackendEntry } from '../media/media.config.ts';

/**
 * The settings that hold a secret, and how: `whole`, the value is one; `url-password`, a
 * connection URL whose password is one (host, database and user stay readable); `backends`, the
 * storage backend list, whose credentials are (their `_env` names are not, the variables they
 * name are). A new setting holding a secret joins this list (support.secrets.test.ts fails on
 * one whose name says so and that is in neither list).
 */
export const SECRET_SETTINGS = {
  TAMS_VAST_ACCESS_KEY: 'whole',
  TAMS_VAST_SECRET_KEY: 'whole',
  TAMS_POSTGRES_URL: 'url-password',
  TAMS_MEDIA_SECRET: 'whole',
  TAMS_BOOTSTRAP_ADMIN_TOKEN: 'whole',
  TAMS_BOOTSTRAP_ADMIN_PASSWORD: 'whole',
  // A public key, or an HMAC key (an `oct` JWK): the bundle cannot tell which is which safely.
  TAMS_JWT_KEY: 'whole',
  TAMS_SEARCH_EMBEDDINGS_API_KEY: 'whole',
  TAMS_STORAGE_BACKENDS: 'backends',
} as const satisfies Partial<Record<keyof Config, 'whole' | 'url-password' | 'backends'>>;

/**
 * Settings whose names sound secret but whose values are not (reviewed): they are shown, and
 * still go through the value-based pass like everything else (a password inside a URL is caught).
 */
export const NOT_SECRET_SETTINGS: readonly (keyof Config)[] = [
  'TAMS_AUTH_PASSWORD_CHECKS',
  'TAMS_BOOTSTRAP_ADMIN_USER',
  'TAMS_JWT_JWKS_URL',
  'TAMS_UI_OIDC_CLIENT_ID',
];

/** Environment variables outside the settings that hold credentials the server's libraries read. */
export const SECRET_ENV = ['PGPASSWORD', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

export const REDACTED = '[REDACTED]';

const BACKEND_CREDENTIALS = ['access_key_id', 'secret_access_key', 'session_token'] as const;

/** A JWK's private members (RFC 7518): an `oct` key's `k`, an RSA or EC key's private parts. */
const JWK_PRIVATE = ['k', 'd', 'p', 'q', 'dp', 'dq', 'qi'];

/** The password of a URL in `value`, if it is one with a password (raw as written, and decoded). */
export function urlPassword(value: string): string[] {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return [];
  }
  if (url.password === '') return [];
  let decoded = url.password;
  try {
    decoded = decodeURIComponent(url.password);
  } catch {
    // Shown raw only.
  }
  return [url.password, decoded];
}

/** `value` (a URL) with its password replaced; other values as they are. */
export function withoutPassword(value: string): string {
  if (urlPassword(value).length === 0) return value;
  const url = new URL(value.trim());
  url.password = '***';
  return url.toString();
}

/** The storage backends as configured, their credentials redacted (`_env` names kept). */
export function redactedBackends(entries: readonly StorageBackendEntry[]): unknown[] {
  return entries.map((entry) => {
    const copy: Record<string, unknown> = { ...entry };
    for (const name of BACKEND_CREDENTIALS) if (copy[name] !== undefined) copy[name] = REDACTED;
    return copy;
  });
}

/** The storage backends the settings declare (undefined: the embedded fs store alone). */
export function configuredBackends(
  config: Config,
  env: Record<string, string | undefined>,
): StorageBackendEntry[] | undefined {
  return loadStorageBackends(
    { json: config.TAMS_STORAGE_BACKENDS, file: config.TAMS_STORAGE_BACKENDS_FILE },
    env,
  );
}

/**
 * Every secret value the configuration holds or points at: the declared settings' values (and
 * an HMAC JWK's key), URL passwords in any setting, the storage backends' credentials and the
 * variables their `_env` names point at, the credentials libraries read from the environment.
 * The value-based pass redacts each wherever it appears, so a secret copied into another value
 * (a log line, an error message, a URL) is caught too.
 */
export function configSecrets(config: Config, env: Record<string, string | undefined>): string[] {
  const found: string[] = [];
  const settings = config as unknown as Record<string, unknown>;
  for (const [name, kind] of Object.entries(SECRET_SETTINGS)) {
    const value = settings[name];
    if (typeof value !== 'string' || value === '') continue;
    if (kind === 'whole') {
      found.push(value, value.trim());
      found.push(...jwkSecrets(value));
    }
  }
  for (const value of Object.values(settings)) {
    if (typeof value === 'string') found.push(...urlPassword(value));
  }
  let entries: StorageBackendEntry[] | undefined;
  try {
    entries = configuredBackends(config, env);
  } catch {
    // loadConfig has checked the list; a file changed since is left to the config part to say.
    entries = undefined;
  }
  for (const entry of entries ?? []) {
    const fields = entry as Record<string, unknown>;
    for (const name of BACKEND_CREDENTIALS) {
      const literal = fields[name];
      if (typeof literal === 'string') found.push(literal);
      const ref = fields[`${name}_env`];
      const referenced = typeof ref === 'string' ? env[ref] : undefined;
      if (referenced) found.push(referenced);
    }
  }
  for (const name of SECRET_ENV) {
    const value = env[name];
    if (value) found.push(value);
  }
  return found;
}

function jwkSecrets(value: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return [];
  }
  if (parsed === null || typeof parsed !== 'object') return [];
  const jwk = parsed as Record<string, unknown>;
  return JWK_PRIVATE.flatMap((m) => (typeof jwk[m] === 'string' ? [jwk[m] as string] : []));
}
