/**
 * The fake VAST server as a process: `npx tsx tools/vast-fake/fake.main.ts [--port N]
 * [--fail-queries-on-table NAME] [--tx-timeout-ms N] [--conflicts-at commit|call]
 * [--call-conflict-code CODE]` prints `url`, `access`, `secret` and `bucket` (one `name=value` a
 * line, then `ready`) and serves until SIGTERM or SIGINT. Used by `npm run vast:sdk:fake`, which
 * drives it with VAST's Python SDK; every QueryData on a table named NAME ends with the failure
 * frame (fake.failure.ts), for the SDK to read. `--tx-timeout-ms` sets the idle time after which a
 * transaction ends (fake.limits.ts; 60 s by default), for `tams-mgmt vast check` to meet a cluster
 * with a shorter one (test/vast/field/field.idle.test.ts). `--conflicts-at call` refuses
 * conflicting changes at their call with a 409 of code CODE (default SerializationFailure;
 * fake.claims.ts), not at commit.
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
