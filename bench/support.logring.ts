/**
 * The cost of the support bundle's log ring on the logger: pino writing `info` lines to /dev/null
 * alone and through the tee that also keeps them in the ring (src/support/support.logring.ts).
 * Median of 7 rounds of 200,000 lines each: `node --import tsx bench/support.logring.ts`.
 */

import { openSync } from 'node:fs';
import { pino } from 'pino';
import { loggerOptions } from '../src/http/logging.ts';
import { LogRing } from '../src/support/support.logring.ts';

const N = 200_000;
const fd = openSync('/dev/null', 'w');
function make(withRing: boolean) {
  // Synchronous: a loop that never yields would only grow an asynchronous destination's buffer.
  const out = pino.destination({ dest: fd, sync: true });
  const ring = new LogRing(2000);
  const stream = withRing
    ? {
        write(l: string) {
          out.write(l);
          ring.push(l);
        },
      }
    : out;
  return pino(loggerOptions('info'), stream);
}
function run(log: ReturnType<typeof make>) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++)
    log.info({ reqId: `req-${i}`, res: { statusCode: 200 }, responseTime: 1.5 }, 'request completed');
  return Number(process.hrtime.bigint() - t) / N;
}
const plain = make(false),
  ringed = make(true);
const a: number[] = [],
  b: number[] = [];
for (let r = 0; r < 7; r++) {
  a.push(run(plain));
  b.push(run(ringed));
}
a.sort((x, y) => x - y);
b.sort((x, y) => x - y);
const ring = new LogRing(2000);
const line = `${JSON.stringify({ level: 30, time: Date.now(), pid: 1, hostname: 'h', reqId: 'req-1', msg: 'request completed' })}\n`;
const t = process.hrtime.bigint();
for (let i = 0; i < 10 * N; i++) ring.push(line);
const push = Number(process.hrtime.bigint() - t) / (10 * N);
console.log(
  `pino alone: ${a[3]?.toFixed(0)} ns/line; with the ring: ${b[3]?.toFixed(0)} ns/line (${(((b[3] as number) / (a[3] as number) - 1) * 100).toFixed(1)} %); a push alone: ${push.toFixed(1)} ns`,
);
