import { describe, expect, it } from 'vitest';
import { gracefulShutdown, RELAY_WINDOW_MS, type ShutdownDeps } from './ops.shutdown.ts';

function deps(overrides: Partial<ShutdownDeps> = {}) {
  const calls: string[] = [];
  const log = { info: () => {}, warn: () => {}, error: () => {} };
  const d: ShutdownDeps = {
    closeServer: async () => {
      calls.push('server');
    },
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

  it('takes the first signal repeated within the relay window as the same one, not a second', async () => {
    let clock = 0;
    let release!: () => void;
    const slow = deps({ closeServer: () => new Promise<void>((r) => (release = r)), now: () => clock });
    const stop = gracefulShutdown(slow.d);
    const first = stop('SIGINT');
    clock = RELAY_WINDOW_MS - 1;
    await stop('SIGINT');
    expect(slow.calls).toEqual(['unready']);
    // Pressed again later: a second signal.
    clock = RELAY_WINDOW_MS;
    await stop('SIGINT');
    expect(slow.calls).toEqual(['unready', 'exit 1']);
    release();
    await first;

    // Another signal within the window is a second one too.
    const other = deps({ closeServer: () => new Promise<void>(() => {}), now: () => 0 });
    const stopOther = gracefulShutdown(other.d);
    void stopOther('SIGINT');
    await stopOther('SIGTERM');
    expect(other.calls).toEqual(['unready', 'exit 1']);
  });

  it('exits 1 when the shutdown outlasts its timeout', async () => {
    const { d, calls } = deps({ closeServer: () => new Promise<void>(() => {}), timeoutMs: 20 });
    void gracefulShutdown(d)('SIGTERM');
    await expect.poll(() => calls).toContain('exit 1');
    expect(calls).not.toContain('runtime');
  });
});
