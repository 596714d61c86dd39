import type { Runtime } from '../src/deps.ts';
import { technicalDifferences } from '../src/flows/flows.technical.ts';
import type { Profile } from '../src/profiles/profiles.schemas.ts';
import type { Tags } from '../src/store/store.types.ts';
import type { ExportSummary } from './mgmt.import.read.ts';
import { MgmtError, type MgmtIo } from './mgmt.io.ts';

/** What the Flow's last write restores: `read_only`, and its Profile link when it can be kept. */
export interface FlowFinish {
  readOnly: boolean;
  profileId?: string;
}

/**
 * Creates the Flow (not read-only yet, so its segments can be registered) and fills its Source:
 * as written through TAMS 8.2 (every tag, list-valued ones included; `status`; collection items
 * without a role), then, where the export holds the Flow as 7.0 shows it, through 7.0 too (a
 * 7.0 PUT keeps what only 8.2 shows, and writes what only 7.0 shows). The Profile link is not
 * written here (a Flow body with a Profile may not carry technical metadata): the Profile is
 * created when this store lacks it, and the link is restored by `finishFlow`.
 */
export async function createFlow(
  runtime: Runtime,
  summary: ExportSummary,
  flowId: string,
  io: MgmtIo,
): Promise<FlowFinish> {
  const { flow, source } = summary.header;
  if (await runtime.store.flows.rowExists(flowId)) {
    throw new MgmtError(
      `Flow ${flowId} already exists in this store: remove it (clean --flow) or import with --as <new id>`,
    );
  }
  // Checked before anything is written: each a string or a list of strings.
  tagsOf(flow.tags, 'Flow');
  const sourceTags = tagsOf(source.tags, 'Source');
  const sourceId = flow.source_id as string;
  const sourceExisted = (await runtime.store.sources.get(sourceId)) !== null;
  const { profile_id: _linkedLater, ...eight } = flow;
  // Writable until its segments are in (finishFlow); left unset where the exported Flow has none.
  const writable = flow.read_only === undefined ? {} : { read_only: false };
  const body: Record<string, unknown> = { ...eight, id: flowId, ...writable };
  if (Array.isArray(flow.flow_collection)) {
    const members = (flow.flow_collection as { id: string }[]).map((m) => m.id);
    const present = await runtime.store.flows.existing(members);
    const kept = (flow.flow_collection as { id: string }[]).filter(
      (m) => m.id === flowId || present.has(m.id),
    );
    if (kept.length < members.length)
      io.err(
        `flow_collection: ${members.length - kept.length} members are not in this store and were left out\n`,
      );
    body.flow_collection = kept;
  }
  // As written through 8.2: the exported tags replace the Flow's, list-valued ones included.
  await runtime.flows.put(flowId, body, undefined, '8.2');
  const seven = summary.header.flow_7_0;
  if (seven !== undefined) {
    const sevenBody: Record<string, unknown> = { ...seven, id: flowId, ...writable };
    if (body.flow_collection !== undefined) sevenBody.flow_collection = body.flow_collection;
    await runtime.flows.put(flowId, sevenBody, undefined, '7.0');
  }
  const profileId = await profileToLink(runtime, summary.header.profile, flow, io);
  if (!sourceExisted) {
    await runtime.sources.update(sourceId, undefined, (s) => {
      if (typeof source.label === 'string') s.label = source.label;
      if (typeof source.description === 'string') s.description = source.description;
      if (sourceTags) s.tags = sourceTags;
    });
  }
  return { readOnly: flow.read_only === true, ...(profileId !== undefined && { profileId }) };
}

/** The Flow's last write, once its segments are in: `read_only` and its Profile link. */
export async function finishFlow(runtime: Runtime, flowId: string, finish: FlowFinish): Promise<void> {
  if (!finish.readOnly && finish.profileId === undefined) return;
  await runtime.flows.update(flowId, undefined, (f) => {
    if (finish.profileId !== undefined) f.profile_id = finish.profileId;
    if (finish.readOnly) f.read_only = true;
  });
}

/**
 * The Profile the imported Flow can be linked to: the exported one, created here when this
 * store lacks it (Profiles keep their ids across stores); none, with a line saying why, when
 * this store has a different Profile of that id or the Flow no longer matches it.
 */
async function profileToLink(
  runtime: Runtime,
  profile: Profile | undefined,
  flow: Record<string, unknown>,
  io: MgmtIo,
): Promise<string | undefined> {
  if (profile === undefined) return undefined;
  const { created: _theStoreSetsIt, ...body } = profile;
  const here = (await runtime.store.profiles.get(profile.id))?.flow_metadata;
  if (here === undefined) {
    await runtime.profiles.create(profile.id, body, undefined);
    io.err(`Profile ${profile.id} created\n`);
  } else if (technicalDifferences(here, profile.flow_metadata).length > 0) {
    io.err(
      `Profile ${profile.id} of this store differs from the exported one: the Flow is imported without its Profile link\n`,
    );
    return undefined;
  }
  const differences = technicalDifferences(flow, profile.flow_metadata);
  if (differences.length > 0) {
    io.err(
      `the Flow's ${differences.join(', ')} differ from its Profile's: the Flow is imported without its Profile link\n`,
    );
    return undefined;
  }
  return profile.id;
}

/** Exported tags (absent: undefined), each value a string or a list of strings as 8.2 has them. */
function tagsOf(raw: unknown, owner: string): Tags | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new MgmtError(`the ${owner}'s tags are not an object`);
  const tags: Tags = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'string' && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
      throw new MgmtError(
        `the ${owner}'s tag ${JSON.stringify(name)} is neither a string nor a list of strings`,
      );
    }
    tags[name] = value;
  }
  return tags;
}
