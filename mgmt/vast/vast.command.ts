import type { Command } from '../mgmt.command.ts';
import { UsageError } from '../mgmt.io.ts';
import { defaultOut, vastCheckCommand } from './vast.check.ts';

/** A whole number of at least 0 from an option, or its default. */
function count(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value))
    throw new UsageError(`vast check: --${name} takes a whole number, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** The field kit's commands (mgmt/vast/): opened on the configuration, not the store. */
export const VAST_COMMANDS: readonly Command[] = [
  {
    name: 'vast check',
    options: ['out', 'label', 'idle-seconds', 'tx-cap', 'json'],
    opens: 'engine',
    run: (config, { io, values }) =>
      vastCheckCommand(config, io, {
        out: values.out ?? defaultOut(),
        label: values.label ?? 'cluster',
        json: values.json === true,
        // Three keep-alive intervals by default: what the engine needs (two) and one more.
        idleSeconds: count(
          'idle-seconds',
          values['idle-seconds'],
          (3 * config.TAMS_VAST_KEEP_ALIVE_MS) / 1000,
        ),
        keepAliveMs: config.TAMS_VAST_KEEP_ALIVE_MS,
        txCap: count('tx-cap', values['tx-cap'], 64),
        checkTimeoutMs: 300_000,
      }),
  },
];
