/**
 * The spec's three security schemes (components.securitySchemes, by the spec's names) and its
 * global `security`, any one sufficient. Swagger UI shows "Authorize" from these; a bearer token
 * entered there is sent as `Authorization: Bearer <token>`.
 */
export const SECURITY_SCHEMES = {
  bearer_token_auth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'HTTP bearer token: a JWT from the configured identity provider (scopes from its `scope`/`scp` claim), or an API token issued by this server (`tams_…`, see `tams-mgmt token create`, or `admin-token` in the data directory after the first start).',
  },
  url_token_auth: {
    type: 'apiKey',
    name: 'access_token',
    in: 'query',
    description:
      'URL token: the same tokens as bearer_token_auth, in the `access_token` query parameter (for clients that cannot set headers, such as EventSource).',
  },
  basic_auth: {
    type: 'http',
    scheme: 'basic',
    description:
      'HTTP basic authentication with a user created by `tams-mgmt user add`. Only for constrained cases: passwords are long-lived and deliberately slow to check. After repeated wrong passwords from one address, or for one user name, logins are refused for a while with 429 and `Retry-After` (seconds) without being checked; 503 with `Retry-After` when too many are waiting to be checked. Bearer tokens are never refused so.',
  },
} as const;

export const GLOBAL_SECURITY: Record<string, string[]>[] = [
  { bearer_token_auth: [] },
  { url_token_auth: [] },
  { basic_auth: [] },
];
