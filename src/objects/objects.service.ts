import { NotFoundError } from '../common/errors.ts';
import type { TamsStore } from '../store/store.ts';
import type { MediaObject } from './objects.schemas.ts';

/** GET /objects/{id} (ADR 0027): which Flows use an object, paged over the Flows. */
export class ObjectsService {
  constructor(private readonly deps: { store: TamsStore }) {}

  async get(
    id: string,
    after: string | undefined,
    limit: number,
  ): Promise<{ object: MediaObject; next?: string }> {
    const { objects } = this.deps.store;
    const record = await objects.get(id);
    // An object allocated but never registered in a segment is not in the store yet (8.1 makes
    // this 404 a MUST; 7.0 is silent).
    if (!record?.registered) {
      throw new NotFoundError(`Object ${id} does not exist`);
    }
    const flows = await objects.referencingFlows(id, after, limit);
    const page = flows.slice(0, limit);
    // A Flow being deleted in the background keeps its references until the deletion worker
    // reaches them, but is gone for clients (as in GET segments).
    const live = page.length > 0 ? await this.deps.store.flows.existing(page) : new Set<string>();
    const object: MediaObject = { id, referenced_by_flows: page.filter((flowId) => live.has(flowId)) };
    const first = await objects.firstReferencingFlow(id);
    if (first !== undefined && live.has(first)) object.first_referenced_by_flow = first;
    return { object, next: flows.length > limit ? page.at(-1) : undefined };
  }
}
