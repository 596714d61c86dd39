/**
 * The plans PostgreSQL ran for the statements a server sent, with the rows each read: PostgreSQL's
 * own auto_explain logs every statement's plan as it ran (prepared statements' generic plans
 * included), analysed and in JSON, on the server's stderr, which a throwaway server
 * (tools/postgres/) hands to `onLog`. A test marks the start and end of the work it looks at with
 * a statement of its own, and reads the plans logged between the two.
 */
import type pg from 'pg';
import { MarkedLog } from './pg.marks.ts';

/** Settings of a throwaway server that logs every statement's plan, analysed (no timing: counts). */
export const EXPLAIN_SETTINGS: Readonly<Record<string, string>> = {
  session_preload_libraries: 'auto_explain',
  'auto_explain.log_min_duration': '0',
  'auto_explain.log_analyze': 'on',
  'auto_explain.log_timing': 'off',
  'auto_explain.log_format': 'json',
};

/** A plan node as EXPLAIN (ANALYZE, FORMAT JSON) writes it: the fields read here. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

export interface RanPlan {
  query: string;
  plan: PlanNode;
}

const SCANS = new Set(['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan']);

/** Rows of `table` the plan's scans read: those they returned and those their filters dropped. */
export function rowsRead(node: PlanNode, table: string): number {
  let n = 0;
  if (SCANS.has(node['Node Type']) && node['Relation Name'] === table) {
    const perLoop =
      (node['Actual Rows'] ?? 0) +
      (node['Rows Removed by Filter'] ?? 0) +
      (node['Rows Removed by Index Recheck'] ?? 0);
    n += perLoop * (node['Actual Loops'] ?? 1);
  }
  for (const child of node.Plans ?? []) n += rowsRead(child, table);
  return n;
}

/** The plan in one line: node types, indexes and conditions, for failure messages. */
export function shown(node: PlanNode): string {
  const own = [node['Node Type'], node['Index Name'], node['Index Cond']].filter(Boolean).join(' ');
  const children = (node.Plans ?? []).map(shown);
  return children.length === 0 ? own : `${own} <- ${children.join(', ')}`;
}

/** The plans of a server's stderr (EXPLAIN_SETTINGS), read between marks. */
export class PlanLog {
  private readonly log = new MarkedLog();
  readonly onLog = this.log.onLog;

  /** The plans of the statements run while `work` ran; `client` is the test's own connection. */
  async during(client: pg.Client, work: () => Promise<unknown>): Promise<RanPlan[]> {
    const between = await this.log.between(client, work);
    // The end mark's own record begins on the last line that does not continue another.
    const lines = between.split('\n');
    while (lines.length > 0 && !/^\d{4}-/.test(lines.at(-1) ?? '')) lines.pop();
    lines.pop();
    return parsePlans(lines);
  }
}

/** auto_explain's records among stderr lines: a `LOG:  duration: … plan:` line, then the JSON, each line after a tab. */
function parsePlans(lines: readonly string[]): RanPlan[] {
  const plans: RanPlan[] = [];
  let body: string[] | undefined;
  const finish = () => {
    if (body === undefined) return;
    const doc = JSON.parse(body.join('\n')) as { 'Query Text': string; Plan: PlanNode };
    plans.push({ query: doc['Query Text'], plan: doc.Plan });
    body = undefined;
  };
  for (const line of lines) {
    if (line.startsWith('\t')) {
      body?.push(line.slice(1));
      continue;
    }
    finish();
    if (/ LOG: {2}duration: [\d.]+ ms {2}plan:$/.test(line)) body = [];
  }
  finish();
  return plans;
}
