/**
 * `tams-mgmt vast check`: the field kit for a VAST cluster, run once with the server's TAMS_VAST_*
 * settings. It checks the settings first (endpoint, keys, bucket: vast.probes.settings.ts) and
 * stops there when one is wrong, saying what to change; then runs the engine contract and the
 * conflict rules (the suites `npm test` runs on the fake VAST, here on the cluster) and the probes
 * of what the engine assumes of VAST, each in scratch schemas it drops at the end; writes one
 * answer per operation and one error body per status as golden files (masked: vast.golden.ts)
 * with a summary, and prints the summary. The screen shows the endpoints and the bucket as set (a
 * typo shows), never the keys; the files mask all four. Exit status 0 when every check passed, 1
 * otherwise, 2 for settings it cannot use.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Config, vastConfigProblems, vastEndpoints } from '../../src/config.ts';
import { CONTRACT_HARNESS } from '../../src/db/contract/contract.harness.key.ts';
import { MgmtError, type MgmtIo } from '../mgmt.io.ts';
import { maskKeys, maskText, type Secrets, writeGolden } from './vast.golden.ts';
import type { Facts, ProbeOptions } from './vast.probe.ts';
import { catalogProbes } from './vast.probes.catalog.ts';
import { dataProbes } from './vast.probes.data.ts';
import { type Shown, settingsProbes } from './vast.probes.settings.ts';
import { txProbes } from './vast.probes.tx.ts';
import { Recorder } from './vast.record.ts';
import { type CheckResult, KitRunner } from './vast.runner.ts';
import { Scratch } from './vast.scratch.ts';
import { type Summary, summaryJson, summaryText, totals } from './vast.summary.ts';

export interface VastCheckOptions extends ProbeOptions {
  /** Where the golden files and the summary go (created). */
  readonly out: string;
  /** What the files say they were recorded on (`cluster`; the repository's seed says `fake`). */
  readonly label: string;
  readonly json: boolean;
  /** Longest one check may take. */
  readonly checkTimeoutMs: number;
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');

export const defaultOut = (): string => `vast-check-${stamp()}`;

/**
 * Registers every check: the settings first (they tell the version, and stop the run when wrong),
 * probes of the catalog, the suites, the rest.
 */
async function register(
  runner: KitRunner,
  scratch: Scratch,
  options: ProbeOptions,
  shown: Shown,
  facts: Facts,
): Promise<void> {
  settingsProbes(runner, scratch, shown, facts);
  catalogProbes(runner, scratch);
  // The suites import describe/it/expect through the harness: the kit's runner must be in place
  // before their modules load (contract.harness.ts).
  (globalThis as { [CONTRACT_HARNESS]?: unknown })[CONTRACT_HARNESS] = runner.harness;
  const { describeEngineContract } = await import('../../src/db/db.contract.ts');
  const { describeConflictRules } = await import('../../src/db/engines/vast/vast.conflicts.contract.ts');
  describeEngineContract('vast (this cluster)', async (store) => scratch.engine(store), { persistent: true });
  describeConflictRules('this cluster', (schema) => scratch.engine(schema));
  txProbes(runner, scratch, options, facts);
  dataProbes(runner, scratch);
}

export async function vastCheckCommand(
  config: Config,
  io: MgmtIo,
  options: VastCheckOptions,
): Promise<number> {
  const problems = vastConfigProblems(config);
  if (problems.length > 0)
    throw new MgmtError(
      `vast check needs the server's VAST settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      2,
    );
  const endpoints = vastEndpoints(config.TAMS_VAST_ENDPOINTS).map((e) => new URL(e));
  const secrets: Secrets = {
    bucket: config.TAMS_VAST_BUCKET,
    accessKey: config.TAMS_VAST_ACCESS_KEY,
    secretKey: config.TAMS_VAST_SECRET_KEY,
    hosts: endpoints.map((u) => u.hostname),
  };
  const shown: Shown = { endpoints: endpoints.map((u) => u.origin), bucket: config.TAMS_VAST_BUCKET };
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  const recorder = new Recorder();
  recorder.listen(endpoints.map((u) => u.hostname));
  const scratch = new Scratch(config, recorder);
  const runner = new KitRunner(options.checkTimeoutMs);
  const facts: Facts = {};
  const started = performance.now();
  io.err(
    maskKeys(
      `vast check: ${shown.endpoints.join(', ')}, bucket "${shown.bucket}", scratch schemas ${scratch.prefix}_*, files in ${out}\n`,
      secrets,
    ),
  );
  let results: CheckResult[] = [];
  let left: string[] = [];
  // Ctrl-C: the scratch schemas are dropped before the process ends.
  const interrupt = () => {
    io.err('vast check: interrupted, dropping the scratch schemas\n');
    scratch.cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  try {
    await register(runner, scratch, options, shown, facts);
    results = await runner.run((r) => {
      const mark = r.status === 'passed' ? '✓' : r.status === 'failed' ? '✗' : '-';
      io.err(
        maskKeys(
          `${mark} ${[...r.group, r.name].join(' › ')}${r.status === 'skipped' ? '' : ` (${r.ms} ms)`}\n`,
          secrets,
        ),
      );
    });
  } finally {
    process.off('SIGINT', interrupt);
    left = await scratch.cleanup().catch(() => [`${scratch.prefix}_* (the cleanup itself failed)`]);
    recorder.close();
  }
  const written = writeGolden(out, recorder.answers.values(), recorder.errors, secrets, options.label);
  const summary: Summary = {
    tool: 'tams-mgmt vast check',
    at: new Date().toISOString(),
    target: options.label,
    facts,
    shown,
    seconds: (performance.now() - started) / 1000,
    results,
    timings: recorder.timings,
    golden: { dir: options.out, answers: recorder.answers.size, errors: recorder.errors.size },
    schemas: { prefix: scratch.prefix, left },
    ...(runner.stoppedAt !== undefined && { stopped: { at: runner.stoppedAt, notRun: runner.notRun } }),
  };
  const text = summaryText(summary);
  const json = `${JSON.stringify(summaryJson(summary), null, 2)}\n`;
  writeFileSync(join(out, 'summary.txt'), maskText(text, secrets));
  writeFileSync(join(out, 'summary.json'), maskText(json, secrets));
  io.out(maskKeys(options.json ? json : text, secrets));
  io.err(maskKeys(`vast check: ${written.length} golden files and the summary in ${out}\n`, secrets));
  return totals(results).failed === 0 && left.length === 0 ? 0 : 1;
}
