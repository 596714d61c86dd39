import { randomBytes } from 'node:crypto';
import { textFits } from '../common/cells.ts';
import type { Clock } from '../common/clock.ts';
import { BadRequestError, NotFoundError } from '../common/errors.ts';
import { checkObjectId } from '../common/object-ids.ts';
import type { ClientUrlRule } from '../media/media.client-urls.ts';
import { copyingOf } from '../media/media.copy.ts';
import { type MediaRegistry, urlLabel } from '../media/media.registry.ts';
import type { InstanceRecord } from '../store/objects/instances.types.ts';
import type { ObjectRecord } from '../store/objects.repo.ts';
import type { StoreTx, TamsStore } from '../store/store.ts';
import { promotable, promote } from './objects.promote.ts';

/** The body of POST /objects/{objectId}/instances (objects-instances-post.json). */
export type InstancePost = { storage_id: string } | { url: string; label: string };

/** Which instance DELETE /objects/{objectId}/instances names. */
export interface InstanceQuery {
  storage_id?: string;
  label?: string;
}

/**
 * TAMS 8.2's object instances (ADR 0038, 0042; AppNote 0018): clients add URLs of an object
 * under a label (uncontrolled) or ask for a copy of it on another of the storage backends
 * (controlled: made by the copy worker, objects.copies.ts, and advertised once made), and remove
 * an instance by its label, or by its storage backend. An object's instances change one at a
 * time across replicas (a guard claim per object), so two deletions can never leave it with none.
 */
export class InstancesService {
  /** Every label that names a backend (its own, and its URLs'), to the backend's id. */
  private readonly backendLabels = new Map<string, string>();

  constructor(
    private readonly deps: {
      store: TamsStore;
      clock: Clock;
      media: MediaRegistry;
      /** Which URLs clients may register (http(s), the operator's hosts). */
      clientUrls: ClientUrlRule;
      /** A copy was asked for: the copy worker looks for work. */
      wake?: () => void;
    },
  ) {
    for (const { descriptor: d } of deps.media.stores) {
      for (const label of [d.label, urlLabel(d, true), urlLabel(d, false)])
        if (label !== undefined) this.backendLabels.set(label, d.id);
    }
  }

  /** POST: adds the instance (201); one the object has already is left as it is. */
  async add(objectId: string, body: InstancePost): Promise<void> {
    checkObjectId(objectId, 'objectId');
    if ('storage_id' in body) return this.addCopy(objectId, body.storage_id);
    const { url, label } = body;
    if (this.backendLabels.has(label)) {
      throw new BadRequestError(
        `label ${JSON.stringify(label)} belongs to a storage backend of this service: give the URL another label`,
      );
    }
    const problem = this.deps.clientUrls.problem('url', url);
    if (problem !== undefined) throw new BadRequestError(problem);
    for (const [name, text] of [
      ['url', url],
      ['label', label],
    ] as const) {
      if (!textFits(text))
        throw new BadRequestError(`${name} is longer than this store keeps (126,000 bytes)`);
    }
    await this.deps.store.transaction(async (tx) => {
      const { instances } = await this.lock(tx, objectId);
      if (instances.some((i) => !i.controlled && i.label === label && i.url === url)) return;
      const other = instances.find((i) => !i.controlled && i.label === label);
      if (other !== undefined) {
        throw new BadRequestError(
          `label ${JSON.stringify(label)} names another URL of object ${objectId}: delete that instance first, or use another label`,
        );
      }
      await tx.instances.markUsers([objectId]);
      await tx.instances.insert([
        {
          object_id: objectId,
          controlled: false,
          url,
          label,
          state: 'ready',
          created: this.deps.clock.now(),
          pos: nextPos(instances),
        },
      ]);
    });
  }

  /**
   * A copy of the object on backend `storageId`, made in the background (copying, then ready):
   * from the object's own storage, or a copy made before where that backend is gone. Asking again
   * leaves a copy made or being made as it is, and tries a failed one again.
   */
  private async addCopy(objectId: string, storageId: string): Promise<void> {
    const target = this.deps.media.get(storageId);
    if (!target)
      throw new BadRequestError(`storage_id ${storageId} is not a storage backend of this service`);
    if (!copyingOf(target)) {
      throw new BadRequestError(`storage backend ${storageId} cannot take copies of objects`);
    }
    const wanted = await this.deps.store.transaction(async (tx) => {
      const { object, instances } = await this.lock(tx, objectId);
      if (object.storage_id === storageId) return false;
      const now = this.deps.clock.now();
      const existing = instances.find((i) => i.controlled && i.storage_id === storageId);
      if (existing !== undefined) {
        if (existing.state !== 'failed') return false;
        await tx.instances.change(existing, {
          state: 'copying',
          attempts: 0,
          next_attempt: now,
          error: null,
        });
        return true;
      }
      const from = copySource(object, instances, this.deps.media);
      if (from === undefined) {
        throw new BadRequestError(
          `object ${objectId} has no instance on a storage backend of this service to copy from (only clients' URLs)`,
        );
      }
      await tx.instances.markUsers([objectId]);
      await tx.instances.insert([
        {
          object_id: objectId,
          controlled: true,
          storage_id: storageId,
          // A key of its own: a copy deleted and asked for again never meets the deletion of
          // the bytes of the one before (queued for that key).
          storage_path: `${from.path}.copy-${randomBytes(6).toString('hex')}`,
          state: 'copying',
          created: now,
          pos: nextPos(instances),
          attempts: 0,
          next_attempt: now,
        },
      ]);
      return true;
    });
    if (wanted) this.deps.wake?.();
  }

  /**
   * DELETE (204): the uncontrolled instances of `label`, or the copy on backend `storage_id` (a
   * backend's label names its copy too), its bytes queued for deletion. Refused (400) where it
   * would leave the object no instance at all: the spec asks clients to delete the segments
   * using an object to remove it whole (AppNote 0018). The backend the object's own bytes are on
   * names them: a ready copy then becomes the object's location (objects.promote.ts), and
   * without one the deletion is refused (400).
   */
  async remove(objectId: string, query: InstanceQuery): Promise<void> {
    checkObjectId(objectId, 'objectId');
    const { storage_id: storageId, label } = query;
    if ((storageId === undefined) === (label === undefined)) {
      throw new BadRequestError('give one of storage_id and label: the instance to delete');
    }
    const backend = storageId ?? this.backendLabels.get(label as string);
    await this.deps.store.transaction(async (tx) => {
      const { object, instances } = await this.lock(tx, objectId);
      const gone =
        backend !== undefined
          ? instances.filter((i) => i.controlled && i.storage_id === backend)
          : instances.filter((i) => !i.controlled && i.label === label);
      if (backend !== undefined && backend === object.storage_id) {
        // Its own bytes go only where a copy takes their place ("move to archive").
        const copy = promotable(instances, this.deps.media);
        if (copy === undefined) {
          throw new BadRequestError(
            `storage backend ${backend} holds object ${objectId}'s own bytes, and it has no ready copy on another storage backend of this service to take their place (clients' URLs do not count): ask for one (POST /objects/${objectId}/instances with a storage_id), then delete this instance once it is made`,
          );
        }
        await promote(tx, object, copy, this.deps.clock.now());
        return;
      }
      if (gone.length === 0) {
        const which =
          backend !== undefined ? `on storage backend ${backend}` : `labelled ${JSON.stringify(label)}`;
        throw new NotFoundError(`object ${objectId} has no instance ${which}`);
      }
      if (
        available(
          object,
          instances.filter((i) => !gone.includes(i)),
        ) === 0
      ) {
        throw new BadRequestError(
          `that is the last instance of object ${objectId}: delete the segments using it to remove it`,
        );
      }
      await tx.instances.remove(objectId, gone);
      const copies = gone.flatMap((i) =>
        i.storage_id !== undefined && i.storage_path !== undefined
          ? [
              {
                storage_id: i.storage_id,
                storage_path: i.storage_path,
                object_id: objectId,
                allocated: i.created,
              },
            ]
          : [],
      );
      await tx.mediaGc.queue(copies, this.deps.clock.now());
    });
  }

  /**
   * The registered object and its instances, read after claiming the object's instances for the
   * transaction (so another replica's change of them makes one of the two run again). 404 for
   * an object unknown, or allocated and not registered (8.1).
   */
  /**
   * Records bytes the server itself wrote to `path` on backend `storageId` as a ready copy of the
   * object (a replication copying an object this store held only by reference): advertised in
   * its `get_urls` at once. False, and nothing recorded, where the object already has a copy on
   * that backend (the caller's bytes are then its own to delete).
   */
  async recordCopy(objectId: string, storageId: string, path: string): Promise<boolean> {
    return this.deps.store.transaction(async (tx) => {
      const { object, instances } = await this.lock(tx, objectId);
      if (
        object.storage_id === storageId ||
        instances.some((i) => i.controlled && i.storage_id === storageId)
      )
        return false;
      await tx.instances.markUsers([objectId]);
      await tx.instances.insert([
        {
          object_id: objectId,
          controlled: true,
          storage_id: storageId,
          storage_path: path,
          state: 'ready',
          created: this.deps.clock.now(),
          pos: nextPos(instances),
        },
      ]);
      return true;
    });
  }

  private async lock(
    tx: StoreTx,
    objectId: string,
  ): Promise<{ object: ObjectRecord; instances: InstanceRecord[] }> {
    await tx.guards.claim([`instances:${objectId}`]);
    const [object, found] = await Promise.all([tx.objects.get(objectId), tx.instances.among([objectId])]);
    if (!object?.registered) throw new NotFoundError(`Object ${objectId} does not exist`);
    return { object, instances: found.get(objectId) ?? [] };
  }
}

/**
 * Where a copy of the object is made from: its own storage where that backend is configured,
 * else a ready copy on one that is. Undefined when it has only clients' URLs.
 */
export function copySource(
  object: ObjectRecord,
  instances: readonly InstanceRecord[],
  media: MediaRegistry,
): { id: string; path: string } | undefined {
  if (object.storage_id !== undefined && object.storage_path !== undefined && media.get(object.storage_id))
    return { id: object.storage_id, path: object.storage_path };
  for (const i of instances) {
    if (!i.controlled || i.state !== 'ready' || i.storage_id === undefined || i.storage_path === undefined)
      continue;
    if (media.get(i.storage_id)) return { id: i.storage_id, path: i.storage_path };
  }
  return undefined;
}

/** Where an object can still be read: its own storage, ready copies, clients' URLs. */
function available(object: ObjectRecord, instances: readonly InstanceRecord[]): number {
  const own = object.storage_id !== undefined ? 1 : 0;
  return own + instances.filter((i) => !i.controlled || i.state === 'ready').length;
}

/** The order of an instance written after `instances`. */
export function nextPos(instances: readonly InstanceRecord[]): number {
  return instances.reduce((n, i) => Math.max(n, i.pos + 1), 0);
}
