import type { Command, Invocation } from './mgmt.command.ts';
import { MgmtError, UsageError } from './mgmt.io.ts';

/**
 * `record start|list|stop|delete`: the live recorder's jobs (docs/recorder.md), through the
 * running server's API (`--server`; a token in TAMS_TOKEN or on stdin with --token-stdin): a
 * job is run by the server's replicas, never by this command.
 */

interface Job {
  id: string;
  label?: string;
  state: string;
  source: { url: string; kind: string };
  flow_ids: { multi: string; video?: string; audio: string[] };
  segments_written: number;
  lag_ms?: number;
  last_error?: string;
  replica?: string;
}

async function call(
  invocation: Invocation,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown; next?: string }> {
  const { values, env, stdin } = invocation;
  const server = values.server;
  if (server === undefined)
    throw new UsageError('record: --server <url> is required (the server runs the jobs)');
  let url: URL;
  try {
    url = new URL(path.replace(/^\//, ''), server.endsWith('/') ? server : `${server}/`);
  } catch {
    throw new UsageError(`--server ${JSON.stringify(server)} is not a URL`);
  }
  // Never from the command line, where other users' `ps` would show it.
  const token = values['token-stdin'] ? (await stdin()).trim() : env.TAMS_TOKEN;
  const headers: Record<string, string> = {
    ...(body !== undefined && { 'content-type': 'application/json' }),
  };
  if (token !== undefined && token !== '') headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(url, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
  } catch (error) {
    throw new MgmtError(
      `could not reach ${url.origin}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    json = text;
  }
  if (res.status >= 400) {
    const summary = (json as { summary?: unknown } | null)?.summary;
    throw new MgmtError(`the server refused: ${res.status} ${typeof summary === 'string' ? summary : text}`);
  }
  // Paging: the next page's URL (Link rel="next"), as a path and query on the same server.
  const link = /^<([^>]+)>;\s*rel="next"$/.exec(res.headers.get('link') ?? '')?.[1];
  const next = link === undefined ? undefined : `${new URL(link).pathname}${new URL(link).search}`;
  return { status: res.status, json, ...(next !== undefined && { next }) };
}

function seconds(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} takes a number of seconds`);
  return n;
}

function line(job: Job): string {
  const lag = job.lag_ms === undefined ? '' : `, lag ${(job.lag_ms / 1000).toFixed(1)} s`;
  const error = job.last_error === undefined ? '' : `; last error: ${job.last_error}`;
  return `${job.id} ${job.state} ${job.source.url} -> multi Flow ${job.flow_ids.multi}: ${job.segments_written} segments${lag}${error}`;
}

const COMMON = ['server', 'token-stdin', 'json'] as const;

export const RECORD_COMMANDS: readonly Command[] = [
  {
    name: 'record start',
    options: [...COMMON, 'label', 'segment-duration', 'retention', 'fast', 'fmp4'],
    maxArgs: 1,
    opens: 'engine',
    run: async (_config, invocation) => {
      const { io, values, args } = invocation;
      const [url] = args;
      if (url === undefined) throw new UsageError('record start: the source URL is required');
      const duration = seconds(values['segment-duration'], 'segment-duration');
      const retention = seconds(values.retention, 'retention');
      const body = {
        source: { url, ...(values.fast === true && { realtime: false }) },
        ...(values.label !== undefined && { label: values.label }),
        ...(duration !== undefined && { segment_duration: duration }),
        ...(retention !== undefined && { retention_seconds: Math.round(retention) }),
        ...(values.fmp4 === true && { container: 'video/mp4' }),
      };
      const { json } = await call(invocation, 'POST', '/recordings', body);
      const job = json as Job;
      io.out(values.json ? `${JSON.stringify(job, null, 2)}\n` : `Recording ${job.id}: ${line(job)}\n`);
      return 0;
    },
  },
  {
    name: 'record list',
    options: [...COMMON],
    opens: 'engine',
    run: async (_config, invocation) => {
      const jobs: Job[] = [];
      let path: string | undefined = '/recordings?limit=100';
      while (path !== undefined) {
        const page = await call(invocation, 'GET', path);
        jobs.push(...(page.json as Job[]));
        path = page.next;
      }
      const { io, values } = invocation;
      if (values.json) io.out(`${JSON.stringify(jobs, null, 2)}\n`);
      else io.out(jobs.length === 0 ? 'No recording jobs.\n' : `${jobs.map(line).join('\n')}\n`);
      return 0;
    },
  },
  ...(['stop', 'delete'] as const).map(
    (verb): Command => ({
      name: `record ${verb}`,
      options: [...COMMON],
      maxArgs: 1,
      opens: 'engine',
      run: async (_config, invocation) => {
        const [id] = invocation.args;
        if (id === undefined) throw new UsageError(`record ${verb}: the job id is required`);
        const path = `/recordings/${encodeURIComponent(id)}`;
        if (verb === 'stop') {
          const { json } = await call(invocation, 'POST', `${path}/stop`, {});
          invocation.io.out(`Stopping ${line(json as Job)}\n`);
        } else {
          await call(invocation, 'DELETE', path);
          invocation.io.out(`Deleted recording job ${id} (its Source and Flows stay).\n`);
        }
        return 0;
      },
    }),
  ),
];
