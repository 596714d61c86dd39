import { Value } from 'typebox/value';
import { FLOWS_API } from '../flows/flows.api.ts';
import type { Origin, OriginVersion } from './replication.origin.ts';
import { OriginError } from './replication.origin.ts';
import type { Selection } from './store/replication.jobs.repo.ts';

/** A Flow as the origin's GET /flows/{id} answers it. */
export type OriginFlow = Record<string, unknown> & {
  id: string;
  source_id: string;
  metadata_version?: string;
  read_only?: boolean;
  flow_collection?: { id: string; role?: string }[];
  timerange?: string;
};

/** A Source as the origin answers it: what of it can be written here. */
export interface OriginSource {
  id: string;
  label?: string;
  description?: string;
  tags?: Record<string, string | string[]>;
}

/** Flows asked of the origin per page of a listing. */
const LIST_PAGE = 500;

/**
 * The origin Flows a job follows: the one Flow, every Flow of the Source, or every Flow with the
 * tags; with the Flows their collections name (a multi Flow is nothing without them), each read
 * with its timerange. Ordered so that collected Flows come before the Flows collecting them.
 */
export async function selectedFlows(origin: Origin, select: Selection): Promise<OriginFlow[]> {
  const found = new Map<string, OriginFlow>();
  const roots: string[] = [];
  if (select.kind === 'flow') roots.push(select.flow_id);
  else {
    const query: Record<string, string> =
      select.kind === 'source'
        ? { source_id: select.source_id }
        : Object.fromEntries(Object.entries(select.tags).map(([name, value]) => [`tag.${name}`, value]));
    let page: string | undefined;
    do {
      const answer = await origin.json<OriginFlow[]>('/flows', { ...query, limit: String(LIST_PAGE), page });
      for (const flow of answer.body) roots.push(flow.id);
      page = answer.next;
    } while (page !== undefined);
  }
  const queue = [...roots];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (found.has(id)) continue;
    const flow = await readFlow(origin, id);
    if (flow === undefined) continue;
    found.set(id, flow);
    for (const item of flow.flow_collection ?? []) queue.push(item.id);
  }
  return collectedFirst([...found.values()]);
}

/** A Flow of the origin with its timerange; undefined when the origin has no such Flow (404). */
export async function readFlow(origin: Origin, id: string): Promise<OriginFlow | undefined> {
  try {
    return (await origin.json<OriginFlow>(`/flows/${id}`, { include_timerange: 'true' })).body;
  } catch (error) {
    if (error instanceof OriginError && error.status === 404) return undefined;
    throw error;
  }
}

export async function readSource(origin: Origin, id: string): Promise<OriginSource | undefined> {
  try {
    return (await origin.json<OriginSource>(`/sources/${id}`)).body;
  } catch (error) {
    if (error instanceof OriginError && error.status === 404) return undefined;
    throw error;
  }
}

function collectedFirst(flows: OriginFlow[]): OriginFlow[] {
  const byId = new Map(flows.map((f) => [f.id, f]));
  const placed = new Set<string>();
  const ordered: OriginFlow[] = [];
  const place = (flow: OriginFlow, path: Set<string>): void => {
    if (placed.has(flow.id) || path.has(flow.id)) return;
    path.add(flow.id);
    for (const item of flow.flow_collection ?? []) {
      const member = byId.get(item.id);
      if (member) place(member, path);
    }
    placed.add(flow.id);
    ordered.push(flow);
  };
  for (const flow of flows) place(flow, new Set());
  return ordered;
}

/** Ids here of the origin's Flows and Sources (the same ids unless the job maps them). */
export interface IdMap {
  flow(originId: string): string | undefined;
  source(originId: string): string;
}

/**
 * The PUT body making the origin's Flow here through `version`, the origin's: every field it has
 * but those the server manages (dates, collected_by, timerange; created_by and updated_by
 * are the origin's); ids mapped. 8.2 keeps `metadata_version` (the run puts it with
 * keepVersion). A Flow made from a Profile (8.2) is put as one: without the fields it takes
 * from the Profile (`fromProfile`). A read-only Flow is opened here for each page copied into it. Checked against the version's PUT schema: an origin Flow
 * this server would refuse from a client fails alone, with the reason.
 */
export function putBodyOf(
  flow: OriginFlow,
  version: OriginVersion,
  ids: IdMap,
  fromProfile: readonly string[] = [],
): Record<string, unknown> {
  const api = FLOWS_API[version];
  const body: Record<string, unknown> = { ...flow };
  for (const key of api.managed) delete body[key];
  for (const key of ['timerange', 'collected_by', ...fromProfile]) delete body[key];
  body.id = ids.flow(flow.id) ?? flow.id;
  body.source_id = ids.source(flow.source_id);
  if (flow.flow_collection !== undefined) {
    body.flow_collection = flow.flow_collection.flatMap((item) => {
      const id = ids.flow(item.id);
      return id === undefined ? [] : [{ ...item, id }];
    });
  }
  if (!Value.Check(api.body, body)) {
    const first = [...Value.Errors(api.body, body)][0];
    const where = first === undefined ? '' : ` at ${first.instancePath || '/'}: ${first.message}`;
    throw new OriginError(`the origin's Flow ${flow.id} is not a valid ${version} Flow here${where}`);
  }
  return body;
}
