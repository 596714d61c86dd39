import type { DbSession, Row } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { big, bool, date, reqStr, str } from '../../store/rows.ts';
import type { RepoSet, StoreSession } from '../../store/store.ts';
import { RPT } from './replication.tables.ts';

/** Where a job's next look at an origin Flow starts: after the end of the last segment copied. */
export interface FlowCursor {
  end: bigint;
  inclusive: boolean;
}

/** An origin Flow a job follows (replication.tables.ts): its id here and how far it is copied. */
export interface FlowLink {
  job_id: string;
  origin_flow_id: string;
  flow_id: string;
  origin_source_id?: string;
  source_id?: string;
  metadata_version?: string;
  cursor?: FlowCursor;
  segments: bigint;
  gone: boolean;
  updated: Date;
  last_error?: string;
}

export class ReplicationFlowsRepo {
  constructor(private readonly db: DbSession) {}

  async ofJob(jobId: string): Promise<FlowLink[]> {
    const rows = await this.db.select(RPT.flows, {
      where: and(col('job_id').eq(jobId)),
      orderBy: [{ column: 'origin_flow_id' }],
    });
    return rows.map(fromRow);
  }

  async get(jobId: string, originFlowId: string): Promise<FlowLink | undefined> {
    const [row] = await this.db.select(RPT.flows, {
      where: and(col('job_id').eq(jobId), col('origin_flow_id').eq(originFlowId)),
      limit: 1,
    });
    return row ? fromRow(row) : undefined;
  }

  /** Any job's link that writes into `flowId` here (a Flow is written by one job at most). */
  async writing(flowId: string): Promise<FlowLink | undefined> {
    const [row] = await this.db.select(RPT.flows, { where: and(col('flow_id').eq(flowId)), limit: 1 });
    return row ? fromRow(row) : undefined;
  }

  async insert(link: FlowLink): Promise<void> {
    await this.db.insert(RPT.flows, [toRow(link)]);
  }

  async save(link: FlowLink): Promise<void> {
    await this.db.update(
      RPT.flows,
      and(col('job_id').eq(link.job_id), col('origin_flow_id').eq(link.origin_flow_id)),
      toRow(link),
    );
  }

  async deleteOfJob(jobId: string): Promise<number> {
    return this.db.delete(RPT.flows, and(col('job_id').eq(jobId)));
  }
}

function toRow(l: FlowLink): Row {
  return {
    job_id: l.job_id,
    origin_flow_id: l.origin_flow_id,
    flow_id: l.flow_id,
    origin_source_id: l.origin_source_id ?? null,
    source_id: l.source_id ?? null,
    metadata_version: l.metadata_version ?? null,
    cursor_ns: l.cursor?.end ?? null,
    cursor_inclusive: l.cursor?.inclusive ?? null,
    segments: l.segments,
    gone: l.gone,
    updated: l.updated,
    last_error: l.last_error ?? null,
  };
}

function fromRow(row: Row): FlowLink {
  const link: FlowLink = {
    job_id: reqStr(row, 'job_id'),
    origin_flow_id: reqStr(row, 'origin_flow_id'),
    flow_id: reqStr(row, 'flow_id'),
    segments: big(row, 'segments') ?? 0n,
    gone: bool(row, 'gone') ?? false,
    updated: date(row, 'updated') ?? new Date(0),
  };
  const end = big(row, 'cursor_ns');
  if (end !== undefined) link.cursor = { end, inclusive: bool(row, 'cursor_inclusive') ?? false };
  for (const name of ['origin_source_id', 'source_id', 'metadata_version', 'last_error'] as const) {
    const v = str(row, name);
    if (v !== undefined) link[name] = v;
  }
  return link;
}

const FLOWS: RepoSet<ReplicationFlowsRepo> = { open: (db) => new ReplicationFlowsRepo(db) };

export function replicationFlows(store: StoreSession): ReplicationFlowsRepo {
  return store.repos(FLOWS);
}
