import type { AuthConfig } from '../auth/auth.config.ts';
import type { UiConfig } from './ui.config.ts';

/** What the sign-in page needs to sign in with the identity provider (ui/src/oidc/). */
export interface UiOidc {
  /** The issuer the server trusts for JWTs (TAMS_JWT_ISSUER): discovery starts there. */
  issuer: string;
  client_id: string;
  /** Space-separated, as the authorization request sends them. */
  scope: string;
  resource?: string;
}

/** GET /ui/config.json: what the UI must know before anyone signs in (public, no secrets). */
export interface UiBootstrap {
  oidc: UiOidc | null;
}

const SCOPES = ['read', 'write', 'delete', 'admin'];

export function uiBootstrap(config: UiConfig & AuthConfig): UiBootstrap {
  if (config.TAMS_UI_OIDC_CLIENT_ID === '' || config.TAMS_JWT_ISSUER === '') return { oidc: null };
  const scope =
    config.TAMS_UI_OIDC_SCOPES.trim() ||
    ['openid', ...SCOPES.map((s) => `${config.TAMS_JWT_SCOPE_PREFIX}${s}`)].join(' ');
  return {
    oidc: {
      issuer: config.TAMS_JWT_ISSUER,
      client_id: config.TAMS_UI_OIDC_CLIENT_ID,
      scope: scope.split(/\s+/).join(' '),
      ...(config.TAMS_UI_OIDC_RESOURCE !== '' && { resource: config.TAMS_UI_OIDC_RESOURCE }),
    },
  };
}

/** Problems with the web UI's sign-in settings taken together with the JWT ones. */
export function uiConfigProblems(config: UiConfig & AuthConfig): string[] {
  const problems: string[] = [];
  const jwt = config.TAMS_JWT_JWKS_URL !== '' || config.TAMS_JWT_KEY !== '';
  if (config.TAMS_UI_OIDC_CLIENT_ID !== '' && (!jwt || config.TAMS_JWT_ISSUER === '')) {
    problems.push(
      'TAMS_UI_OIDC_CLIENT_ID: needs JWTs enabled (TAMS_JWT_ISSUER and TAMS_JWT_JWKS_URL): the web UI signs in with that issuer',
    );
  }
  if (
    config.TAMS_UI_OIDC_RESOURCE !== '' &&
    !/^[A-Za-z][A-Za-z0-9+.-]*:[^#\s]+$/.test(config.TAMS_UI_OIDC_RESOURCE)
  ) {
    problems.push(
      `TAMS_UI_OIDC_RESOURCE: must be an absolute URI without a fragment (got ${JSON.stringify(config.TAMS_UI_OIDC_RESOURCE)})`,
    );
  }
  return problems;
}
