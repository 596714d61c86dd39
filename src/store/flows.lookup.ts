import type { StoreSession } from './store.ts';
import type { FlowRecord } from './store.types.ts';

/**
 * The Flows a batch of outbox events names, each read once per batch: a follower asks about the
 * same Flow for every event of it (choosing payloads to read, then planning), and a read is a
 * round trip on VAST, where nothing caches Flows. The plan then sees the Flows as they were read
 * when the payloads were chosen.
 */
export class FlowLookup {
  private readonly flows = new Map<string, FlowRecord | null>();

  constructor(private readonly store: StoreSession) {}

  async get(id: string): Promise<FlowRecord | null> {
    if (!this.flows.has(id)) this.flows.set(id, await this.store.flows.get(id));
    return this.flows.get(id) ?? null;
  }

  /**
   * Whether the Flow exists and satisfies `predicate` (false without an id), a check of the
   * Flow's own fields: where Flows are held in memory it reads them there, without the copy a
   * read makes (a batch of single registrations names hundreds of Flows, and composing a copy
   * of each for this was 2-3 % of the server's thread under single-segment POSTs).
   */
  async is(id: string | undefined, predicate: (flow: Readonly<FlowRecord>) => boolean): Promise<boolean> {
    if (id === undefined) return false;
    const own = this.store.flows.own?.(id);
    if (own !== undefined) return own !== null && predicate(own);
    const flow = await this.get(id);
    return flow !== null && predicate(flow);
  }
}
