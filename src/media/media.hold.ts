/**
 * Holds the deletion of media bytes in this process while something must read every object a
 * snapshot of the store names (a backup: src/backup/). The deleters (the media garbage collector,
 * the copy worker's clean-up) pass the hold before each deletion and wait while it is held; a
 * deletion already past it when the hold began is of an object no snapshot taken afterwards names
 * (its row went in the transaction that queued its bytes), so the holder need not wait for it.
 */
export class DeletionHold {
  private holders = 0;
  private waiters: (() => void)[] = [];

  /** Holds deletions until the returned function is called (once). */
  hold(): () => void {
    this.holders++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holders > 0) return;
      const waiters = this.waiters;
      this.waiters = [];
      for (const resume of waiters) resume();
    };
  }

  get held(): boolean {
    return this.holders > 0;
  }

  /** Deletions waiting for the hold to end. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves at once when nothing holds deletions, else once every holder has let go. */
  pass(): Promise<void> {
    if (this.holders === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
