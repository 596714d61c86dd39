import { REDACTED } from './support.secrets.ts';

/** Secrets shorter than this are redacted by name only: replacing every "abc" would wreck the text. */
export const MIN_SECRET_LENGTH = 4;

/** Names of query parameters and `name=value` pairs whose values are credentials. */
const PARAMS =
  'access_token|id_token|refresh_token|token|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|api_key|apikey|api-key|key|password|passwd|pwd|secret|client_secret';

/** JSON members whose values are credentials, whatever else the object holds. */
const FIELDS =
  'password|secret|secret_key|secret_access_key|access_key_id|session_token|api_key|api_key_value|token|access_token|refresh_token|id_token|authorization|proxy-authorization|cookie|set-cookie|x-api-key|client_secret|private_key';

/** What the pattern pass replaces, in order: each catches a shape of credential, known or not. */
const PATTERNS: [RegExp, string][] = [
  // PEM private keys, raw or inside a JSON string (`\n` escaped).
  [/-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g, `${REDACTED} PRIVATE KEY`],
  // JWTs (three base64url parts, the first a JSON header): bearer tokens anywhere.
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, `${REDACTED} JWT`],
  // Authorization header schemes with their credentials.
  [/\b(Bearer|Basic|Digest)(\s+|%20)[^\s"',;\\]+/gi, `$1$2${REDACTED}`],
  // Query parameters and name=value pairs (raw or URL-encoded): presigned URL signatures, tokens.
  // A value ends where the next parameter begins, raw or URL-encoded (`%26`).
  [
    new RegExp(`((?:^|[?&;\\s"'(]|%3F|%26)(?:${PARAMS})(?:=|%3D))(?:(?!%26)[^&\\s"'\\\\;,)])+`, 'gim'),
    `$1${REDACTED}`,
  ],
  // JSON members (headers logged as objects, documents).
  [new RegExp(`("(?:${FIELDS})"\\s*:\\s*")(?:[^"\\\\]|\\\\.)*(")`, 'gi'), `$1${REDACTED}$2`],
  // Header lines of plain-text logs.
  [
    /^(\s*(?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-amz-security-token)\s*:\s*).+$/gim,
    `$1${REDACTED}`,
  ],
  // Passwords in URLs (`scheme://user:password@host`).
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"]+:)[^\s@/"]+@/gi, '$1***@'],
];

/**
 * Redacts text in two passes: every known secret value, as written, as a JSON string holds it
 * and URL-encoded (longest first, so one secret inside another goes whole); then the shapes of
 * credentials whatever their value (patterns above), for the secrets nobody declared (a token a
 * client sent, a presigned URL's signature).
 */
export class Redactor {
  private readonly forms: string[];

  constructor(secrets: Iterable<string>) {
    const forms = new Set<string>();
    for (const secret of secrets) {
      if (secret.length < MIN_SECRET_LENGTH) continue;
      forms.add(secret);
      forms.add(JSON.stringify(secret).slice(1, -1));
      forms.add(encodeURIComponent(secret));
    }
    this.forms = [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  }

  /** How many distinct values the value pass looks for (the README says it). */
  get values(): number {
    return this.forms.length;
  }

  text(input: string): string {
    let out = input;
    for (const form of this.forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
    return out;
  }
}
