import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mgmtCommand } from '../common/package-info.ts';
import type { AuthAdmin } from './auth.admin.ts';
import type { AuthServerConfig } from './auth.config.ts';
import { SCOPES } from './auth.model.ts';

export interface BootstrapLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Name of the file in TAMS_DATA_DIR holding the token generated at first start. */
export const ADMIN_TOKEN_FILE = 'admin-token';

/**
 * Applies TAMS_BOOTSTRAP_ADMIN_TOKEN and TAMS_BOOTSTRAP_ADMIN_USER/PASSWORD: the first admin
 * credentials of a deployment, from its secrets. Returns whether anything was configured.
 */
export async function applyBootstrapEnv(
  admin: AuthAdmin,
  config: AuthServerConfig,
  log: BootstrapLog,
): Promise<boolean> {
  const token = config.TAMS_BOOTSTRAP_ADMIN_TOKEN;
  if (token !== '') {
    const outcome = await admin.ensureToken(token, {
      name: 'bootstrap-admin',
      principal: 'admin',
      scopes: SCOPES,
      createdBy: 'bootstrap',
    });
    if (outcome === 'revoked') {
      log.warn({}, 'TAMS_BOOTSTRAP_ADMIN_TOKEN has been revoked and stays revoked: it is not accepted');
    } else log.info({ outcome }, 'bootstrap admin token registered (TAMS_BOOTSTRAP_ADMIN_TOKEN)');
  }
  const user = config.TAMS_BOOTSTRAP_ADMIN_USER;
  if (user !== '') {
    const outcome = await admin.ensureUser(user, config.TAMS_BOOTSTRAP_ADMIN_PASSWORD, SCOPES);
    log.info({ user, outcome }, 'bootstrap admin user ready (TAMS_BOOTSTRAP_ADMIN_USER)');
  }
  return token !== '' || user !== '';
}

/** Writes `token` to `path`, readable by this user only, replacing any earlier file whole. */
function writeSecretFile(path: string, token: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${token}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/**
 * At start-up, with authentication required: the bootstrap variables, or, when no one could
 * authenticate at all (first start of `npm start`), an admin token generated once, written to
 * `<TAMS_DATA_DIR>/admin-token` (mode 0600) and announced on stderr, the one place it is shown.
 * With JWTs configured the identity provider issues credentials, so none is generated.
 */
export async function bootstrapAuth(
  admin: AuthAdmin,
  config: AuthServerConfig,
  log: BootstrapLog,
  announce: (text: string) => void = (text) => process.stderr.write(text),
): Promise<void> {
  if (config.TAMS_AUTH === 'none') {
    log.warn({}, 'authentication is off (TAMS_AUTH=none): anyone who can reach this server may change it');
    return;
  }
  if (await applyBootstrapEnv(admin, config, log)) return;
  const jwt = config.TAMS_JWT_JWKS_URL !== '' || config.TAMS_JWT_KEY !== '';
  if (jwt || !(await admin.isEmpty())) return;

  const first = await admin.createFirstToken({
    name: 'first-admin',
    scopes: SCOPES,
    createdBy: 'first start',
  });
  if (!first) return; // another replica issued it meanwhile: its data directory holds the file
  const { token, info } = first;
  mkdirSync(config.TAMS_DATA_DIR, { recursive: true });
  const file = join(config.TAMS_DATA_DIR, ADMIN_TOKEN_FILE);
  writeSecretFile(file, token);
  log.warn(
    { file, token_id: info.id },
    'no users or tokens existed: an admin token was created, written to the file and printed once on stderr',
  );
  announce(
    [
      '',
      '================================================================================',
      ' tams-server: first start, an admin API token was created (all scopes).',
      ` It is shown only now, and saved in ${file} (mode 0600):`,
      '',
      `   ${token}`,
      '',
      ` Use it as:  curl -H "Authorization: Bearer $(cat ${file})" http://localhost:${config.TAMS_PORT}/service`,
      ' Manage users and tokens with the management CLI, the server stopped:',
      '',
      `   ${mgmtCommand()} help`,
      '',
      ' or with the /auth/* routes. Set TAMS_AUTH=none for an open server (local use only).',
      '================================================================================',
      '',
    ].join('\n'),
  );
}
