import type { Command, OptionValues } from './mgmt.command.ts';
import { columns, UsageError } from './mgmt.io.ts';
import { originAuth } from './mgmt.replicate.auth.ts';
import { serverApi } from './mgmt.server-api.ts';

/**
 * `replicate start|list|show|flows|pause|resume|delete`: replication jobs, which follow another
 * TAMS server, through the running server's API as `record` does (`--server`; a token in
 * TAMS_TOKEN or on stdin with --token-stdin): a job is run by the server's replicas, never by this
 * command. The origin's credentials come from the environment (mgmt.replicate.auth.ts).
 */

interface Job {
  id: string;
  state: string;
  origin: { url: string };
  segments_copied: number;
  lag_ms?: number;
  last_error?: string;
}

interface JobFlow {
  origin_flow_id: string;
  flow_id: string;
  segments: number;
  copied_to?: string;
  gone: boolean;
  last_error?: string;
}

type Selection = { flow_id: string } | { source_id: string } | { tags: Record<string, string> };

/** What the job follows: exactly one of --flow, --source, --tag (which may repeat). */
function selection(values: OptionValues): Selection {
  const { flow, source, tag } = values;
  const given = [
    ...(flow !== undefined ? ['--flow'] : []),
    ...(source !== undefined ? ['--source'] : []),
    ...(tag !== undefined ? ['--tag'] : []),
  ];
  if (given.length === 0)
    throw new UsageError(
      'replicate start: what to follow is required: --flow <id>, --source <id> or --tag <name>=<value>',
    );
  if (given.length > 1) throw new UsageError(`replicate start: ${given.join(' and ')}: give one selection`);
  if (flow !== undefined) return { flow_id: flow };
  if (source !== undefined) return { source_id: source };
  const tags: Record<string, string> = {};
  for (const pair of tag ?? []) {
    const at = pair.indexOf('=');
    const name = at > 0 ? pair.slice(0, at) : '';
    if (name === '') throw new UsageError(`--tag ${JSON.stringify(pair)}: takes <name>=<value>`);
    if (name in tags) throw new UsageError(`--tag ${name} is given twice`);
    tags[name] = pair.slice(at + 1);
  }
  return { tags };
}

function line(job: Job): string {
  const lag = job.lag_ms === undefined ? '' : `, lag ${(job.lag_ms / 1000).toFixed(1)} s`;
  const error = job.last_error === undefined ? '' : `; last error: ${job.last_error}`;
  return `${job.id} ${job.state} ${job.origin.url}: ${job.segments_copied} segments copied${lag}${error}`;
}

function flowsTable(flows: readonly JobFlow[]): string {
  if (flows.length === 0) return 'No Flows followed yet.\n';
  return columns(
    [
      ['ORIGIN FLOW', 'FLOW HERE', 'SEGMENTS', 'COPIED TO', 'NOTE'],
      ...flows.map((f) => [
        f.origin_flow_id,
        f.flow_id,
        String(f.segments),
        f.copied_to ?? '',
        [f.gone ? 'gone at the origin' : '', f.last_error ?? ''].filter((n) => n !== '').join('; '),
      ]),
    ],
    new Set([2]),
  );
}

const SERVER = ['server', 'token-stdin'] as const;
const jobPath = (id: string) => `/replications/${encodeURIComponent(id)}`;

/** The job id each of these commands takes. */
function jobId(verb: string, args: readonly string[]): string {
  const [id] = args;
  if (id === undefined) throw new UsageError(`replicate ${verb}: the job id is required`);
  return id;
}

export const REPLICATE_COMMANDS: readonly Command[] = [
  {
    name: 'replicate start',
    options: [
      ...SERVER,
      'json',
      'label',
      'origin',
      'flow',
      'source',
      'tag',
      'copy',
      'storage',
      'once',
      'mirror-deletions',
      'map-ids',
    ],
    opens: 'engine',
    run: async (_config, invocation) => {
      const { io, values, env } = invocation;
      const url = values.origin;
      if (url === undefined)
        throw new UsageError('replicate start: --origin <url> is required (the TAMS API to replicate from)');
      const select = selection(values);
      if (values.storage !== undefined && values.copy !== true)
        throw new UsageError('replicate start: --storage is where copies go: it needs --copy');
      const auth = originAuth(env);
      const body = {
        origin: { url, ...(auth !== undefined && { auth }) },
        select,
        ...(values.copy === true && { media: 'copy' }),
        ...(values.storage !== undefined && { storage_id: values.storage }),
        ...(values.once === true && { follow: false }),
        ...(values['mirror-deletions'] === true && { mirror_deletions: true }),
        ...(values['map-ids'] === true && { ids: 'map' }),
        ...(values.label !== undefined && { label: values.label }),
      };
      const { json } = await serverApi(invocation, 'replicate').call('POST', '/replications', body);
      const job = json as Job;
      io.out(values.json ? `${JSON.stringify(job, null, 2)}\n` : `Replication ${job.id}: ${line(job)}\n`);
      return 0;
    },
  },
  {
    name: 'replicate list',
    options: [...SERVER, 'json'],
    opens: 'engine',
    run: async (_config, invocation) => {
      const jobs = await serverApi(invocation, 'replicate').all<Job>('/replications?limit=100');
      const { io, values } = invocation;
      if (values.json) io.out(`${JSON.stringify(jobs, null, 2)}\n`);
      else io.out(jobs.length === 0 ? 'No replication jobs.\n' : `${jobs.map(line).join('\n')}\n`);
      return 0;
    },
  },
  {
    // The whole document: its selection, settings and every count, as the API shows it.
    name: 'replicate show',
    options: [...SERVER],
    maxArgs: 1,
    opens: 'engine',
    run: async (_config, invocation) => {
      const id = jobId('show', invocation.args);
      const { json } = await serverApi(invocation, 'replicate').call('GET', jobPath(id));
      invocation.io.out(`${JSON.stringify(json, null, 2)}\n`);
      return 0;
    },
  },
  {
    name: 'replicate flows',
    options: [...SERVER, 'json'],
    maxArgs: 1,
    opens: 'engine',
    run: async (_config, invocation) => {
      const id = jobId('flows', invocation.args);
      const { json } = await serverApi(invocation, 'replicate').call('GET', `${jobPath(id)}/flows`);
      const flows = json as JobFlow[];
      invocation.io.out(invocation.values.json ? `${JSON.stringify(flows, null, 2)}\n` : flowsTable(flows));
      return 0;
    },
  },
  ...(['pause', 'resume', 'delete'] as const).map(
    (verb): Command => ({
      name: `replicate ${verb}`,
      options: [...SERVER],
      maxArgs: 1,
      opens: 'engine',
      run: async (_config, invocation) => {
        const id = jobId(verb, invocation.args);
        const api = serverApi(invocation, 'replicate');
        if (verb === 'delete') {
          await api.call('DELETE', jobPath(id));
          invocation.io.out(
            `Deleted replication job ${id} (the Sources, Flows and segments it copied stay).\n`,
          );
        } else {
          const { json } = await api.call('POST', `${jobPath(id)}/${verb}`, {});
          invocation.io.out(`${verb === 'pause' ? 'Pausing' : 'Resuming'} ${line(json as Job)}\n`);
        }
        return 0;
      },
    }),
  ),
];
