import { type Config, ConfigSchema, unknownSettings } from '../config.ts';
import {
  configuredBackends,
  REDACTED,
  redactedBackends,
  SECRET_SETTINGS,
  withoutPassword,
} from './support.secrets.ts';

/**
 * The effective configuration: every TAMS_* setting as parsed (defaults included), the declared
 * secrets redacted by name (a connection URL keeps its host, database and user), a password in
 * any URL masked; which settings the environment set; the storage backends as configured, their
 * credentials redacted.
 */
export function effectiveSettings(
  config: Config,
  env: Record<string, string | undefined>,
): Record<string, unknown> {
  const values = config as unknown as Record<string, unknown>;
  const kinds = SECRET_SETTINGS as Record<string, string>;
  const settings: Record<string, unknown> = {};
  for (const name of Object.keys(ConfigSchema.properties)) {
    const value = values[name];
    const kind = kinds[name];
    if (typeof value !== 'string') settings[name] = value;
    else if (value === '') settings[name] = '';
    else if (kind === 'whole') settings[name] = REDACTED;
    else if (kind === 'backends') settings[name] = `${REDACTED} (the list is under storage_backends)`;
    else settings[name] = withoutPassword(value);
  }
  const set = Object.keys(ConfigSchema.properties).filter((name) => env[name] !== undefined);
  let backends: unknown;
  try {
    const entries = configuredBackends(config, env);
    backends =
      entries === undefined ? 'none declared: the embedded fs store alone' : redactedBackends(entries);
  } catch (error) {
    backends = { error: error instanceof Error ? error.message : String(error) };
  }
  return {
    settings,
    set_by_environment: set,
    unknown_settings: unknownSettings(env),
    storage_backends: backends,
  };
}
