/**
 * The fake VAST server as a process: `npx tsx tools/vast-fake/fake.main.ts [--port N]
const txTimeout = arg('--tx-timeout-ms');
const conflictsAt = arg('--conflicts-at') ?? 'commit';
if (!(CONFLICTS_AT as readonly string[]).includes(conflictsAt)) {
  process.stderr.write(`--conflicts-at takes ${CONFLICTS_AT.join(' or ')}, not ${conflictsAt}\n`);
  process.exit(2);
}
const vast = await startFakeVast({
  port,
  ...(txTimeout !== undefined && { txTimeoutMs: Number.parseInt(txTimeout, 10) }),
  conflictsAt: conflictsAt as ConflictsAt,
  callConflictCode: arg('--call-conflict-code'),
 */
import { CONFLICTS_AT, type ConflictsAt, startFakeVast } from './fake.server.ts';

const arg = (name: string) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const port = Number.parseInt(arg('--port') ?? '0', 10);
const txTimeout = arg('--tx-timeout-ms');
const conflictsAt = arg('--conflicts-at') ?? 'commit';
if (!(CONFLICTS_AT as readonly string[]).includes(conflictsAt)) {
  process.stderr.write(`--conflicts-at takes ${CONFLICTS_AT.join(' or ')}, not ${conflictsAt}\n`);
  process.exit(2);
}
const vast = await startFakeVast({
  port,
  ...(txTimeout !== undefined && { txTimeoutMs: Number.parseInt(txTimeout, 10) }),
  conflictsAt: conflictsAt as ConflictsAt,
  callConflictCode: arg('--call-conflict-code'),
});
const failing = arg('--fail-queries-on-table');
if (failing !== undefined) {
  vast.faults.queryFailureAt = 'start';
  vast.faults.queryFailure({ match: (r) => (r.target.split('?')[0] ?? '').endsWith(`/${failing}`) });
}
process.stdout.write(
  `url=${vast.url}\naccess=${vast.keys.access}\nsecret=${vast.keys.secret}\nbucket=${vast.bucket}\nready\n`,
);
const stop = () => {
  vast.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
