import { DbError } from '../db.errors.ts';

/**
 * The calls an engine has under way, for a close that lets them end: a call made once closing
 * began is refused with DbError 'closed', and `close` waits until every earlier one settled,
 * including calls started while it waited.
 */
export class EngineCalls {
  private readonly running = new Set<Promise<unknown>>();
  private closing = false;

  /** `label`: the engine as its refusals name it ("the PostgreSQL engine"). */
  constructor(private readonly label: string) {}

  /** Throws DbError 'closed' once closing began. */
  refuseIfClosed(): void {
    if (this.closing) throw new DbError('closed', `${this.label} is closed`);
  }

  /** Runs an entry point: refused after close, waited for by close. */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new DbError('closed', `${this.label} is closed`));
    const p = work();
    this.running.add(p);
    const done = () => this.running.delete(p);
    p.then(done, done);
    return p;
  }

  /** Refuses new calls and waits for those under way; false when closing had begun already. */
  async close(): Promise<boolean> {
    if (this.closing) return false;
    this.closing = true;
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    return true;
  }
}
