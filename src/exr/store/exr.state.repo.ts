import type { DbSession, JsonValue } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { reqStr } from '../../store/rows.ts';
import { ET } from './exr.tables.ts';

/** `exr_state`: the outbox follower's progress, a row per key. */
export class ExrStateRepo {
  constructor(private readonly db: DbSession) {}

  async all(): Promise<Map<string, JsonValue>> {
    const rows = await this.db.select(ET.state);
    return new Map(rows.map((r) => [reqStr(r, 'key'), (r.value ?? null) as JsonValue]));
  }

  /** Writes these keys (updated in place, added where missing). */
  async set(values: Record<string, JsonValue>): Promise<void> {
    for (const [key, value] of Object.entries(values)) {
      const changed = await this.db.update(ET.state, and(col('key').eq(key)), { value });
      if (changed === 0) await this.db.insert(ET.state, [{ key, value }]);
    }
  }
}
