import type { DbSession, JsonValue } from '../db/db.types.ts';
import { and, col } from '../db/predicate.ts';
import { GuardsRepo } from './guards.repo.ts';
import { T } from './tables.ts';

/** Small key/value settings the service keeps across restarts (service name and description). */
export class SettingsRepo {
  constructor(private readonly db: DbSession) {}

  async get(key: string): Promise<JsonValue | undefined> {
    const rows = await this.db.select(T.settings, { where: and(col('key').eq(key)), limit: 1 });
    const value = rows[0]?.value;
    return value === undefined || value === null ? undefined : (value as JsonValue);
  }

  /** Sets `key`; two replicas setting it at once keep one row (the guard: see guards.repo.ts). */
  async set(key: string, value: JsonValue): Promise<void> {
    await new GuardsRepo(this.db).claim([`setting:${key}`]);
    await this.db.delete(T.settings, and(col('key').eq(key)));
    await this.db.insert(T.settings, [{ key, value }]);
  }
}
