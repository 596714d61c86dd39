/**
 * `--co-tenants N` with the per-operation runs: N processes that walk 64 MiB of memory at random
 * for as long as the benchmark lasts. Each takes a core's share of time and evicts the caches and
 * TLB entries of whatever shares its core, as other replicas, the database's backends and the
 * load generator do to a server when a machine has fewer cores than busy processes. One server
 * measured with two of them can be set beside three replicas measured without
 * (docs/benchmarks.md: what sets the page ratio).
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** 16M 32-bit words: 64 MiB, twice the machine's L3 and far beyond its L2. */
const WORDS = 16 * 1024 * 1024;
const WALKER = `const b=new Uint32Array(${WORDS});let x=1;for(;;){x=(Math.imul(x,1103515245)+12345)>>>0;b[x&${WORDS - 1}]++;}`;

/** Starts `n` walkers; the function returned stops them (they are killed with the benchmark too). */
export function startCoTenants(n: number): () => void {
  const children: ChildProcess[] = [];
  for (let i = 0; i < n; i++) children.push(spawn(process.execPath, ['-e', WALKER], { stdio: 'ignore' }));
  const stop = () => {
    for (const child of children) child.kill('SIGKILL');
  };
  process.on('exit', stop);
  return stop;
}
