/** What a request presents: nothing, a bearer token (header or query) or a Basic user/password. */
export type Credentials =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string; via: 'header' | 'query' }
  | { kind: 'basic'; user: string; password: string }
  | { kind: 'malformed'; scheme: 'bearer' | 'basic' | 'other'; reason: string };

/**
 * The credentials of a request: the Authorization header (Bearer or Basic, scheme names in any
 * case), else the `access_token` query parameter (the spec's url_token_auth). A header wins
 * over the parameter, as when Swagger UI is authorised both ways.
 */
export function readCredentials(authorization: string | undefined, accessToken: unknown): Credentials {
  if (authorization !== undefined && authorization !== '') return fromHeader(authorization);
  if (accessToken === undefined) return { kind: 'none' };
  if (typeof accessToken !== 'string' || accessToken === '') {
    return { kind: 'malformed', scheme: 'bearer', reason: 'access_token must be given once, not empty' };
  }
  return { kind: 'bearer', token: accessToken, via: 'query' };
}

function fromHeader(header: string): Credentials {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'bearer') {
    if (value === '' || /\s/.test(value)) {
      return { kind: 'malformed', scheme: 'bearer', reason: 'the Bearer credentials are not one token' };
    }
    return { kind: 'bearer', token: value, via: 'header' };
  }
  if (scheme === 'basic') {
    const decoded = /^[A-Za-z0-9+/]+={0,2}$/.test(value) ? Buffer.from(value, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon <= 0) {
      return {
        kind: 'malformed',
        scheme: 'basic',
        reason: 'the Basic credentials are not base64 of user:password',
      };
    }
    return { kind: 'basic', user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return {
    kind: 'malformed',
    scheme: 'other',
    reason: 'the Authorization scheme is neither Bearer nor Basic',
  };
}
