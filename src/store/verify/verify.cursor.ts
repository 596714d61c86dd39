/** A peekable cursor over an async iterator (merging sorted streams in step). */
export class Cursor<T> {
  private head: IteratorResult<T> | undefined;

  constructor(private readonly source: AsyncIterator<T>) {}

  async peek(): Promise<T | undefined> {
    this.head ??= await this.source.next();
    return this.head.done ? undefined : this.head.value;
  }

  async take(): Promise<T | undefined> {
    const value = await this.peek();
    if (value !== undefined) this.head = undefined;
    return value;
  }

  /** Ends the source early (a scan underneath frees its connection). */
  async close(): Promise<void> {
    await this.source.return?.(undefined);
  }
}
