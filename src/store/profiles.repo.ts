import type { DbSession, JsonValue, Row } from '../db/db.types.ts';
import { and, col } from '../db/predicate.ts';
import { date, reqStr, str } from './rows.ts';
import { scanPage } from './scan.ts';
import { T } from './tables.ts';

/** A Flow Profile as the store keeps it (TAMS 8.2, ADR 0047): written once, never changed. */
export interface ProfileRecord {
  id: string;
  label?: string;
  description?: string;
  created_by?: string;
  created: Date;
  /** Values a string or a list of strings; undefined when the Profile was given none. */
  tags?: Record<string, string | string[]>;
  /** The technical characteristics (a video, audio, image or data Flow's), as sent. */
  flow_metadata: Record<string, JsonValue>;
  /** Properties of the document profile.json does not name, kept as sent. */
  extra: Record<string, JsonValue>;
}

export interface ProfileFilters {
  format?: string;
  codec?: string;
  label?: string;
}

/** Flow Profiles: insert and read only (immutable and permanent, as the spec has them). */
export class ProfilesRepo {
  constructor(private readonly db: DbSession) {}

  async insert(profile: ProfileRecord): Promise<void> {
    const metadata = profile.flow_metadata;
    await this.db.insert(T.profiles, [
      {
        id: profile.id,
        label: profile.label ?? null,
        description: profile.description ?? null,
        created_by: profile.created_by ?? null,
        created: profile.created,
        tags: profile.tags ?? null,
        flow_metadata: metadata,
        format: typeof metadata.format === 'string' ? metadata.format : null,
        codec: typeof metadata.codec === 'string' ? metadata.codec : null,
        extra: profile.extra,
      },
    ]);
  }

  async get(id: string): Promise<ProfileRecord | null> {
    const [row] = await this.db.select(T.profiles, { where: and(col('id').eq(id)), limit: 1 });
    return row ? fromRow(row) : null;
  }

  /** A page of the Profiles passing `filters`, by id, after `after`. */
  async list(
    filters: ProfileFilters,
    after: string | undefined,
    limit: number,
  ): Promise<{ items: ProfileRecord[]; next?: string }> {
    const where = [
      filters.format !== undefined && col('format').eq(filters.format),
      filters.codec !== undefined && col('codec').eq(filters.codec),
      filters.label !== undefined && col('label').eq(filters.label),
    ];
    const page = await scanPage(this.db, T.profiles, where, () => true, after, limit);
    return { items: page.rows.map(fromRow), ...(page.next !== undefined && { next: page.next }) };
  }
}

const object = <V>(value: unknown): Record<string, V> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, V>) : {};

function fromRow(row: Row): ProfileRecord {
  const record: ProfileRecord = {
    id: reqStr(row, 'id'),
    created: date(row, 'created') ?? new Date(0),
    flow_metadata: object<JsonValue>(row.flow_metadata),
    extra: object<JsonValue>(row.extra),
  };
  if (row.tags !== null && row.tags !== undefined) record.tags = object<string | string[]>(row.tags);
  const label = str(row, 'label');
  if (label !== undefined) record.label = label;
  const description = str(row, 'description');
  if (description !== undefined) record.description = description;
  const createdBy = str(row, 'created_by');
  if (createdBy !== undefined) record.created_by = createdBy;
  return record;
}
