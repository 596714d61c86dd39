/**
 * Round trips as a client of a remote engine waits for them, counted on the memory engine: every
 * call issued while the previous wave is out goes in the next one, and a wave's calls all come
 * back together (one check phase of the event loop). Calls issued side by side share a wave; a
 * call that needs another's answer is in a later one. The count is the length of the longest
 * chain of calls that wait on each other: the round trips on the response path, whatever the
 * latency of each.
 */
export class Waves {
  /** Waves sent so far; reset it by assigning 0. */
  count = 0;
  private pending: (() => void)[] = [];

  /** Resolves when the wave this call joins comes back. */
  trip(): Promise<void> {
    return new Promise((resolve) => {
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push(resolve);
    });
  }

  private flush(): void {
    const wave = this.pending;
    this.pending = [];
    this.count++;
    for (const resolve of wave) resolve();
  }
}
