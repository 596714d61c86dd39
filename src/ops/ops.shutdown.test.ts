import { describe, expect, it } from 'vitest';
import { gracefulShutdown, type ShutdownDeps } from './ops.shutdown.ts';

function deps(overrides: Partial<ShutdownDeps> = {}) {
  const calls: string[] = [];
  const log = { info: () => {}, warn: () => {}, error: () => {} };
  const d: ShutdownDeps = {
    closeServer: async () => {
      calls.push('server');
    },
    closeIdleConnections: () => {},
    closeRuntime: async () => {
      calls.push('runtime');
    },
    shuttingDown: () => calls.push('unready'),
    log,
    timeoutMs: 1000,
    exit: (code) => calls.push(`exit ${code}`),
    ...overrides,
  };
  return { d, calls };
}

describe('gracefulShutdown', () => {
  it('goes unready, drains the server, then closes the runtime, then exits 0', async () => {
    const { d, calls } = deps();
    await gracefulShutdown(d)('SIGTERM');
    expect(calls).toEqual(['unready', 'server', 'runtime', 'exit 0']);
  });

  it('exits 1 when closing fails, and at once on a second signal', async () => {
    const failing = deps({
      closeRuntime: async () => {
        throw new Error('disk gone');
      },
    });
    await gracefulShutdown(failing.d)('SIGTERM');
    expect(failing.calls.at(-1)).toBe('exit 1');

    let release!: () => void;
    const slow = deps({ closeServer: () => new Promise<void>((r) => (release = r)) });
    const stop = gracefulShutdown(slow.d);
    const first = stop('SIGTERM');
    await stop('SIGINT');
    expect(slow.calls).toEqual(['unready', 'exit 1']);
    release();
    await first;
  });

  it('exits 1 when the shutdown outlasts its timeout', async () => {
    const { d, calls } = deps({ closeServer: () => new Promise<void>(() => {}), timeoutMs: 20 });
    void gracefulShutdown(d)('SIGTERM');
    await expect.poll(() => calls, { timeout: 10_000 }).toContain('exit 1');
    expect(calls).not.toContain('runtime');
  });

  it('sweeps idle keep-alive connections while the server drains', async () => {
    // The server drains until it has been swept twice: the shutdown ends only if sweeps come
    // while it waits (the test's own timeout fails it otherwise).
    let sweeps = 0;
    let drained!: () => void;
    const { d, calls } = deps({
      closeIdleConnections: () => {
        sweeps++;
        if (sweeps === 2) drained();
      },
      closeServer: () => new Promise<void>((r) => (drained = r)),
      timeoutMs: 60_000,
    });
    await gracefulShutdown(d)('SIGTERM');
    expect(calls).toEqual(['unready', 'runtime', 'exit 0']);
    expect(sweeps).toBe(2);
  });
});
