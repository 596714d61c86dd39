import { describe, expect, it } from 'vitest';
import { Redactor } from './support.redact.ts';

const redact = (text: string) => new Redactor([]).text(text);

describe('the redactor', () => {
  it('replaces the shapes of credentials whatever their values', () => {
    expect(redact('Authorization: Bearer abc.def')).toBe('Authorization: [REDACTED]');
    expect(redact('sent Bearer tok123 and Basic dXNlcjpwdw==')).toBe(
      'sent Bearer [REDACTED] and Basic [REDACTED]',
    );
    expect(redact('GET /x?X-Amz-Date=1&X-Amz-Signature=deadbeef&y=2')).toBe(
      'GET /x?X-Amz-Date=1&X-Amz-Signature=[REDACTED]&y=2',
    );
    // Inside another URL's query: the encoded value ends at the next encoded parameter.
    expect(
      redact('label=http%3A%2F%2Fh%2Fk%3FX-Amz-Credential%3DAK%2F1%26X-Amz-Signature%3Dbeef%26z%3D1'),
    ).toBe('label=http%3A%2F%2Fh%2Fk%3FX-Amz-Credential%3D[REDACTED]%26X-Amz-Signature%3D[REDACTED]%26z%3D1');
    expect(redact('/media/a?expires=1&sig=s1g&object=o')).toBe('/media/a?expires=1&sig=[REDACTED]&object=o');
    expect(redact('{"cookie":"session=abc","api_key_value":"k\\"v"}')).toBe(
      '{"cookie":"[REDACTED]","api_key_value":"[REDACTED]"}',
    );
    expect(redact('postgres://tams:pw@db/x')).toBe('postgres://tams:***@db/x');
    expect(redact('/flows/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl')).toBe('/flows/[REDACTED] JWT');
    expect(redact('k = "-----BEGIN PRIVATE KEY-----\\nMIIB\\n-----END PRIVATE KEY-----"')).toBe(
      'k = "[REDACTED] PRIVATE KEY"',
    );
  });

  it('replaces known values as written, JSON-escaped and URL-encoded, longest first', () => {
    const r = new Redactor(['line1\nline2', 'a b/c', 'abc', 'abcdef-long']);
    expect(r.text('x line1\\nline2 y a%20b%2Fc z abcdef-long')).toBe(
      'x [REDACTED] y [REDACTED] z [REDACTED]',
    );
    // Shorter than four characters: left to the patterns (replacing every "abc" would wreck the text).
    expect(r.text('abc')).toBe('abc');
  });
});
