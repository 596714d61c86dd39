/**
 * A wake-up signal one part rings and others listen for: the store rings it when events become
 * visible in the outbox, and the outbox's readers (webhook dispatcher, event streams, the wings'
 * followers) subscribe when they are built. Made before both, it lets each be built after what
 * it needs instead of being wired in afterwards.
 *
 * A ring reaches the listeners subscribed at that moment; one that subscribes later is not woken
 * for rings before it: a reader reads the outbox from its own position when it starts, so it
 * misses nothing. Listeners only wake something (they must not throw), and `ring` allocates
 * nothing, since it runs at every commit.
 */
export class Doorbell {
  // Replaced on every (rare) change, never mutated: a ring in progress keeps the list it began with.
  private listeners: readonly (() => void)[] = [];

  ring(): void {
    const { listeners } = this;
    for (let i = 0; i < listeners.length; i++) listeners[i]?.();
  }

  /** Calls `listener` at every ring from now on, until the returned function is called. */
  subscribe(listener: () => void): () => void {
    const entry = () => listener();
    this.listeners = [...this.listeners, entry];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== entry);
    };
  }
}
