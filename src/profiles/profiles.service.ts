import { checkCell } from '../common/cells.ts';
import type { Clock } from '../common/clock.ts';
import { BadRequestError, NotFoundError } from '../common/errors.ts';
import type { JsonValue } from '../db/db.types.ts';
import { type FlowProfiles, TECHNICAL_FIELDS, technicalOf } from '../flows/flows.technical.ts';
import type { ProfileFilters, ProfileRecord } from '../store/profiles.repo.ts';
import type { TamsStore } from '../store/store.ts';
import type { Profile } from './profiles.schemas.ts';

export interface ProfilesServiceDeps {
  store: TamsStore;
  clock: Clock;
}

/** The properties profile.json names: the rest of a document is kept as sent (`extra`). */
const NAMED = new Set(['id', 'label', 'description', 'created_by', 'created', 'tags', 'flow_metadata']);

/** A Flow body (8.2 `flow-put.json`) as Profiles see it. */
export type FlowBody = Record<string, unknown>;

/**
 * Flow Profiles (TAMS 8.2, ADR 0047, AppNote 0020): the technical characteristics of house
 * formats, created once under an id of the client's (kept across stores) and never changed or
 * deleted. Flows made from one copy its `flow_metadata` (`applyToFlow`): the Flow side calls
 * that through FlowProfiles (src/flows/flows.technical.ts), this service given to it at
 * composition, so that src/flows never imports src/profiles.
 */
export class ProfilesService implements FlowProfiles {
  constructor(private readonly deps: ProfilesServiceDeps) {}

  /**
   * Creates the Profile `id` from `body` (a valid profile.json whose `id` is the path's): 400
   * when the ids differ or a Profile `id` exists already (Profiles cannot be updated).
   * `created` is the store's; `created_by` the body's, else the caller.
   */
  async create(
    id: string,
    body: Profile & Record<string, unknown>,
    actor: string | undefined,
  ): Promise<Profile> {
    if (body.id !== id) {
      throw new BadRequestError(`the body's id ${body.id} is not the Profile ID of the path (${id})`);
    }
    const extra: Record<string, JsonValue> = {};
    for (const [name, value] of Object.entries(body)) if (!NAMED.has(name)) extra[name] = value as JsonValue;
    const record: ProfileRecord = {
      id,
      created: this.deps.clock.now(),
      flow_metadata: body.flow_metadata as Record<string, JsonValue>,
      extra,
    };
    if (body.tags !== undefined) record.tags = body.tags;
    if (body.label !== undefined) record.label = body.label;
    if (body.description !== undefined) record.description = body.description;
    const createdBy = body.created_by ?? actor;
    if (createdBy !== undefined) record.created_by = createdBy;
    for (const field of ['label', 'description', 'created_by'] as const) checkCell(field, record[field]);
    for (const field of ['tags', 'flow_metadata', 'extra'] as const) checkCell(field, record[field], true);
    await this.deps.store.transaction(async (tx) => {
      // Two replicas creating one id: one commits, the other runs again and finds it.
      await tx.guards.claim([`profile:${id}`]);
      if (await tx.profiles.get(id)) {
        throw new BadRequestError(
          `Profile ${id} already exists, and Profiles cannot be updated: create a new Profile with a new id`,
        );
      }
      await tx.profiles.insert(record);
    });
    return profileDocument(record);
  }

  async get(id: string): Promise<Profile> {
    return profileDocument(await this.record(id));
  }

  /** A page of the Profiles passing `filters` (by id; the spec gives them no order). */
  async list(
    filters: ProfileFilters,
    after: string | undefined,
    limit: number,
  ): Promise<{ items: Profile[]; next?: string }> {
    const page = await this.deps.store.profiles.list(filters, after, limit);
    return { items: page.items.map(profileDocument), ...(page.next !== undefined && { next: page.next }) };
  }

  /**
   * A Flow body as stored when written through TAMS 8.2 with `profile_id` (flow-put.json, AppNote
   * 0020): with a Profile's id, the body must carry no technical metadata (400 naming it), the
   * Profile must exist (400), and the Flow gets the Profile's `flow_metadata` (format, codec,
   * container, avg_bit_rate, segment_duration, container_mapping, essence_parameters), keeping
   * `profile_id`. With `profile_id: ""` (which unlinks the Flow) or without one, the body as
   * sent.
   */
  async applyToFlow(body: FlowBody): Promise<FlowBody> {
    const profileId = body.profile_id;
    if (profileId === undefined || profileId === '') return body;
    if (typeof profileId !== 'string') throw new BadRequestError('profile_id must be a string');
    const given = TECHNICAL_FIELDS.filter((name) => body[name] !== undefined);
    if (given.length > 0) {
      throw new BadRequestError(
        `a Flow made from a Profile takes its technical metadata from it: leave out ${given.join(', ')} with profile_id ${profileId} (or unlink with profile_id "")`,
      );
    }
    const profile = await this.deps.store.profiles.get(profileId);
    if (!profile) throw new BadRequestError(`Profile ${profileId} does not exist (create it first)`);
    return { ...body, ...technicalOf(profile.flow_metadata) };
  }

  /** The Profile `id` as the store keeps it; 404 when there is none. */
  async record(id: string): Promise<ProfileRecord> {
    const record = await this.deps.store.profiles.get(id);
    if (!record) throw new NotFoundError(`Profile ${id} does not exist`);
    return record;
  }
}

export function profileDocument(record: ProfileRecord): Profile {
  const doc: Profile & Record<string, unknown> = {
    ...record.extra,
    id: record.id,
    created: record.created.toISOString(),
    flow_metadata: record.flow_metadata as Profile['flow_metadata'],
  };
  if (record.label !== undefined) doc.label = record.label;
  if (record.description !== undefined) doc.description = record.description;
  if (record.created_by !== undefined) doc.created_by = record.created_by;
  if (record.tags !== undefined) doc.tags = record.tags;
  return doc;
}
