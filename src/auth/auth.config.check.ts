import type { AuthConfig } from './auth.config.ts';
import { listSetting, parseStaticKey } from './auth.jwt.ts';
import { isUserName, USER_NAME_RULE } from './auth.model.ts';

/** Problems with the authentication settings taken together (each is valid on its own). */
export function authConfigProblems(config: AuthConfig): string[] {
  const problems: string[] = [];
  const jwt = config.TAMS_JWT_JWKS_URL !== '' || config.TAMS_JWT_KEY !== '';
  if (config.TAMS_JWT_JWKS_URL !== '' && config.TAMS_JWT_KEY !== '') {
    problems.push('TAMS_JWT_JWKS_URL and TAMS_JWT_KEY: give one or the other');
  }
  if (config.TAMS_JWT_JWKS_URL !== '' && !/^https?:\/\/\S+$/.test(config.TAMS_JWT_JWKS_URL)) {
    problems.push(
      `TAMS_JWT_JWKS_URL: must be an http(s) URL (got ${JSON.stringify(config.TAMS_JWT_JWKS_URL)})`,
    );
  }
  if (config.TAMS_JWT_KEY !== '') {
    try {
      parseStaticKey(config.TAMS_JWT_KEY);
    } catch (error) {
      // The message, never the value: it may be a shared secret.
      problems.push(`TAMS_JWT_KEY: not a PEM public key or a JWK (${(error as Error).message})`);
    }
  }
  // Without an issuer, and an audience or client ids, a token minted by the same identity
  // provider for another service would pass.
  if (jwt && config.TAMS_JWT_ISSUER === '') problems.push('TAMS_JWT_ISSUER: required when JWTs are enabled');
  if (
    jwt &&
    listSetting(config.TAMS_JWT_AUDIENCE).length + listSetting(config.TAMS_JWT_CLIENT_IDS).length === 0
  ) {
    problems.push(
      'TAMS_JWT_AUDIENCE or TAMS_JWT_CLIENT_IDS: one is required when JWTs are enabled (the `aud` your tokens carry, or the client ids of access tokens without one, as Amazon Cognito issues)',
    );
  }
  const token = config.TAMS_BOOTSTRAP_ADMIN_TOKEN;
  if (token !== '' && (token.length < 16 || /\s/.test(token))) {
    problems.push('TAMS_BOOTSTRAP_ADMIN_TOKEN: must be at least 16 characters, without spaces');
  }
  const user = config.TAMS_BOOTSTRAP_ADMIN_USER;
  const password = config.TAMS_BOOTSTRAP_ADMIN_PASSWORD;
  if ((user === '') !== (password === '')) {
    problems.push('TAMS_BOOTSTRAP_ADMIN_USER and TAMS_BOOTSTRAP_ADMIN_PASSWORD: give both or neither');
  }
  if (user !== '' && !isUserName(user)) problems.push(`TAMS_BOOTSTRAP_ADMIN_USER: ${USER_NAME_RULE}`);
  if (password !== '' && password.length < 12) {
    problems.push('TAMS_BOOTSTRAP_ADMIN_PASSWORD: must be at least 12 characters');
  }
  return problems;
}
