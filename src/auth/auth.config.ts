import { type Static, type TObject, Type } from 'typebox';

/**
 * The authentication settings, spread into the one config schema (src/config.ts) so they are
 * parsed, checked and documented with every other TAMS_* setting.
 */
export const authSettings = {
  TAMS_AUTH: Type.Union([Type.Literal('required'), Type.Literal('none')], {
    default: 'required',
    description:
      '`required`: every API request needs credentials (Bearer token, `access_token` query parameter or HTTP Basic); see [Authentication](authentication.md). `none`: the API is open to anyone who can reach it (local exploration only).',
  }),
  TAMS_AUTH_SCOPE_MAP: Type.Union([Type.Literal('methods'), Type.Literal('appnote-0016')], {
    default: 'methods',
    description:
      "Which scopes each TAMS route needs. `methods`: the method's (GET and HEAD `read`, PUT and POST `write`, DELETE `delete`; `read` too for writes answering with stored metadata, `admin` for service settings). `appnote-0016`: the coarse-grained table of TAMS AppNote 0016, which tools following it expect (AWS's TAMS test suite): deleting a property or an object instance needs `write`, a webhook's PUT and DELETE `read`, listing deletion requests `admin`, reading one `delete`, and `admin` admits every route of the table. See [Authentication](authentication.md#two-scope-mappings).",
  }),
  TAMS_AUTH_CACHE_SECONDS: Type.Integer({
    default: 30,
    minimum: 0,
    description:
      'How long an API token or password once checked is trusted without reading the store again, on shared databases (several replicas): a revocation made elsewhere takes effect within this time. The embedded engine (one process) forgets immediately on every change.',
  }),
  TAMS_AUTH_PASSWORD_CHECKS: Type.Integer({
    default: 2,
    minimum: 1,
    maximum: 64,
    description:
      'HTTP Basic passwords checked at once (scrypt: 128 MiB and ~0.3 s of a core each); four times as many may wait, and further logins are answered 503 with `Retry-After` at once. One client address has at most this many checks under way (its further logins: 429). Raise with the cores and memory the server has.',
  }),
  TAMS_AUTH_CLIENT_FAILURES: Type.Integer({
    default: 10,
    minimum: 1,
    description:
      'Wrong HTTP Basic passwords one client address (an IPv6 /64 network; see `TAMS_TRUST_PROXY`) may send before its Basic logins are answered 429 with `Retry-After`, without checking: 30 s, doubling with each further failure up to 15 minutes. Failures are forgotten 15 minutes after the last one. Behind a reverse proxy set `TAMS_TRUST_PROXY`, or every client counts as the proxy.',
  }),
  TAMS_AUTH_USER_FAILURES: Type.Integer({
    default: 20,
    minimum: 1,
    description:
      'Wrong HTTP Basic passwords for one user name, from any address, before logins as that user are answered 429 the same way, except from addresses the user has logged in from before. A successful login forgets them.',
  }),
  TAMS_BOOTSTRAP_ADMIN_TOKEN: Type.String({
    default: '',
    description:
      'An API token (16+ characters) granted every scope, registered at start-up (e.g. from a Kubernetes secret). Empty, with no users or tokens at all (and no JWTs configured): a token is generated once, printed on stderr and written to `admin-token` in `TAMS_DATA_DIR`.',
  }),
  TAMS_BOOTSTRAP_ADMIN_USER: Type.String({
    default: '',
    description:
      'User name of an HTTP Basic admin (every scope) created at start-up if missing; its password is set from `TAMS_BOOTSTRAP_ADMIN_PASSWORD`.',
  }),
  TAMS_BOOTSTRAP_ADMIN_PASSWORD: Type.String({
    default: '',
    description: 'Password (12+ characters) of `TAMS_BOOTSTRAP_ADMIN_USER`.',
  }),
  TAMS_JWT_JWKS_URL: Type.String({
    default: '',
    description:
      "URL of the identity provider's JSON Web Key Set: bearer JWTs are verified with its keys (fetched and cached, refetched for unknown key ids).",
  }),
  TAMS_JWT_KEY: Type.String({
    default: '',
    description:
      'A static key verifying bearer JWTs instead of a JWKS: a PEM public key, or a JWK as JSON (an `oct` JWK for HMAC, with `TAMS_JWT_ALGORITHMS=HS256`).',
  }),
  TAMS_JWT_ISSUER: Type.String({
    default: '',
    description: 'Required `iss` of JWTs (required when JWTs are enabled).',
  }),
  TAMS_JWT_AUDIENCE: Type.String({
    default: '',
    description:
      'Accepted `aud` of JWTs, comma-separated to accept several: a JWT with an `aud` claim must name one. This or `TAMS_JWT_CLIENT_IDS` is required when JWTs are enabled.',
  }),
  TAMS_JWT_CLIENT_IDS: Type.String({
    default: '',
    description:
      "Client ids, comma-separated: a JWT without an `aud` claim is accepted when its `client_id` claim is one of them (Amazon Cognito's access tokens carry `client_id` and no `aud`). This or `TAMS_JWT_AUDIENCE` is required when JWTs are enabled.",
  }),
  TAMS_JWT_ALGORITHMS: Type.String({
    default: 'RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512,EdDSA',
    description: 'JWS algorithms accepted for JWTs, comma-separated.',
  }),
  TAMS_JWT_SCOPE_PREFIX: Type.String({
    default: '',
    description:
      "Prefix of this API's scopes in the JWT `scope` (space-separated) or `scp` claim: with `tams.`, `tams.read` grants `read` and scopes without the prefix are ignored.",
  }),
  TAMS_JWT_PRINCIPAL_CLAIM: Type.String({
    default: 'sub',
    description:
      'JWT claim naming the caller in `created_by`/`updated_by` (e.g. `preferred_username`); `sub` when the claim is absent.',
  }),
  TAMS_JWT_CLOCK_TOLERANCE_SECONDS: Type.Integer({
    default: 30,
    minimum: 0,
    description: 'Clock skew allowed when checking JWT `exp` and `nbf`.',
  }),
};

/** The authentication settings as parsed (part of src/config.ts's Config). */
export type AuthConfig = Static<TObject<typeof authSettings>>;

/**
 * What authentication reads of the configuration: its own settings, and where the server keeps
 * its data and listens (the first start's generated admin token is written and announced there).
 */
export type AuthServerConfig = AuthConfig & { TAMS_DATA_DIR: string; TAMS_PORT: number };
