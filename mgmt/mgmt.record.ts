import type { Command } from './mgmt.command.ts';
import { UsageError } from './mgmt.io.ts';
import { serverApi } from './mgmt.server-api.ts';

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
      const { json } = await serverApi(invocation, 'record').call('POST', '/recordings', body);
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
      const jobs = await serverApi(invocation, 'record').all<Job>('/recordings?limit=100');
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
        const api = serverApi(invocation, 'record');
        if (verb === 'stop') {
          const { json } = await api.call('POST', `${path}/stop`, {});
          invocation.io.out(`Stopping ${line(json as Job)}\n`);
        } else {
          await api.call('DELETE', path);
          invocation.io.out(`Deleted recording job ${id} (its Source and Flows stay).\n`);
        }
        return 0;
      },
    }),
  ),
];
