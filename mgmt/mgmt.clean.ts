import { systemClock } from '../src/common/clock.ts';
import type { Runtime } from '../src/deps.ts';
import { cleanFlow, describeFlowPlan } from './mgmt.clean.flow.ts';
import { columns, MgmtError, type MgmtIo, Progress, UsageError } from './mgmt.io.ts';

export interface CleanOptions {
  all: boolean;
  flow?: string;
  dryRun: boolean;
  yes: boolean;
}

/** `clean`: prints what would go; with --yes, removes it. */
export async function cleanCommand(runtime: Runtime, io: MgmtIo, options: CleanOptions): Promise<number> {
  if (options.all === (options.flow !== undefined))
    throw new UsageError('clean: give either --all or --flow <id>');
  if (options.dryRun && options.yes) throw new UsageError('clean: --dry-run and --yes exclude each other');
  const act = async (describe: string, run: () => Promise<void>): Promise<number> => {
    io.out(describe);
    if (options.dryRun) {
      io.out('Dry run: nothing was changed.\n');
      return 0;
    }
    if (!options.yes)
      throw new MgmtError('nothing was changed: pass --yes to delete the above (or --dry-run to only look)');
    const started = performance.now();
    await run();
    io.out(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
    return 0;
  };
  if (options.flow !== undefined) {
    const plan = await runtime.maintenance.flowCleanPlan(options.flow);
    if (!plan) throw new MgmtError(`Flow ${options.flow} does not exist in this store`);
    return act(describeFlowPlan(plan), () => cleanFlow(runtime, plan, io));
  }
  const counts = await runtime.maintenance.contentRows();
  const withBytes = await runtime.maintenance.storedObjects();
  const describe =
    'Every TAMS table below is emptied (service settings, credentials, webhooks and events are kept):\n' +
    columns(
      [['TABLE', 'ROWS'], ...counts.map(({ table, rows }) => [table, rows.toLocaleString('en')])],
      new Set([1]),
    ) +
    `Bytes of ${withBytes.toLocaleString('en')} objects are queued for deletion from their backends (the server's media GC deletes them).\n`;
  return act(describe, async () => {
    const queued = new Progress(io, 'objects queued for byte deletion', withBytes);
    let emptied: Progress | undefined;
    await runtime.maintenance.emptyContent(systemClock.now(), {
      queued: (n) => queued.add(n),
      emptied: (n) => {
        if (!emptied) {
          queued.finish();
          emptied = new Progress(io, 'tables emptied', counts.length);
        }
        emptied.add(n);
      },
    });
    emptied?.finish();
  });
}
