/**
 * The fake VAST server as a process: `npx tsx test/vast/fake/fake.main.ts [--port N]` prints
 * `url`, `access`, `secret` and `bucket` (one `name=value` a line, then `ready`) and serves until
 * SIGTERM or SIGINT. Used by `npm run vast:sdk:fake`, which drives it with VAST's Python SDK.
 */
import { startFakeVast } from './fake.server.ts';

const at = process.argv.indexOf('--port');
const port = at >= 0 ? Number.parseInt(process.argv[at + 1] ?? '0', 10) : 0;
const vast = await startFakeVast({ port });
process.stdout.write(
  `url=${vast.url}\naccess=${vast.keys.access}\nsecret=${vast.keys.secret}\nbucket=${vast.bucket}\nready\n`,
);
const stop = () => {
  vast.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
