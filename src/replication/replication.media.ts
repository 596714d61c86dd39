import { createHash, randomUUID } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { defaultObjectPath } from '../common/object-ids.ts';
import { copyingOf } from '../media/media.copy.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import type { InstancesService } from '../objects/objects.instances.ts';
import type { StorageService } from '../storage/storage.service.ts';
import { type Origin, OriginError } from './replication.origin.ts';

/** An object a page of origin segments needs here, and the URLs the origin gave for it. */
export interface NeededObject {
  id: string;
  urls: readonly string[];
  contentType?: string;
}

export interface CopyTally {
  objects: number;
  bytes: number;
}

const MD5 = /^"?([0-9a-f]{32})"?$/i;

/** Where an object's copy goes; `instance`: a copy of an object registered here already. */
interface Place {
  objectId: string;
  storageId: string;
  path: string;
  instance: boolean;
}

/**
 * Copies origin objects into a backend here, for a job's media by copy (and every job's init
 * objects): each object once, whichever segments and Flows use it (an object this store already
 * registered is not fetched again); streamed from the origin to the backend, never whole in
 * memory; checksummed: the bytes' MD5 is checked against the origin's ETag where that is an MD5
 * (S3's single-part objects, this server's), and against the backend's after the write.
 */
export class ObjectCopier {
  constructor(
    private readonly deps: {
      origin: Origin;
      media: MediaRegistry;
      storage: StorageService;
      instances: InstancesService;
      storageId?: string;
      /** Objects copied at once. */
      parallel: number;
    },
  ) {}

  /**
   * Makes sure every object is here, written for `flowId` when new; answers what was copied.
   * `stopping`: no further copy starts once it says so (a shutdown waits for those under way).
   */
  async ensure(flowId: string, needed: readonly NeededObject[], stopping: () => boolean): Promise<CopyTally> {
    const tally: CopyTally = { objects: 0, bytes: 0 };
    if (needed.length === 0) return tally;
    const places = await this.deps.storage.allocateIds(
      flowId,
      needed.map((o) => o.id),
      this.deps.storageId,
    );
    const byId = new Map(needed.map((o) => [o.id, o]));
    // Objects not written yet, and objects this store holds only by reference (another job's
    // URLs of the origin): those get a copy of their own, recorded as a ready instance.
    const target = this.deps.media.resolve(this.deps.storageId).descriptor.id;
    const todo = places.flatMap((p): Place[] => {
      if (!byId.has(p.objectId)) return [];
      if (!p.registered && p.storageId !== undefined && p.path !== undefined)
        return [{ objectId: p.objectId, storageId: p.storageId, path: p.path, instance: false }];
      if (p.storageId !== undefined) return [];
      const path = defaultObjectPath(flowId, randomUUID());
      return [{ objectId: p.objectId, storageId: target, path, instance: true }];
    });
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < todo.length && !stopping()) {
        const place = todo[next++];
        if (place === undefined) return;
        const object = byId.get(place.objectId) as NeededObject;
        // Read after the copy: `tally.bytes += await …` would add to the total read before it.
        const size = await this.copy(object, place.storageId, place.path);
        if (
          place.instance &&
          !(await this.deps.instances.recordCopy(place.objectId, place.storageId, place.path))
        ) {
          // Another job made its copy meanwhile: this one is not needed.
          await this.deps.media.resolve(place.storageId).delete(place.path);
          continue;
        }
        tally.bytes += size;
        tally.objects++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.deps.parallel, todo.length) }, worker));
    return tally;
  }

  /** One object, from the first of its URLs that answers; the bytes written (0: already here). */
  private async copy(object: NeededObject, storageId: string, path: string): Promise<number> {
    const backend = this.deps.media.resolve(storageId);
    const writer = copyingOf(backend);
    if (writer === undefined) throw new Error(`storage backend ${storageId} takes no writes from the server`);
    if (object.urls.length === 0)
      throw new OriginError(`object ${object.id}: the origin gave no URL to read it`);
    // A copy a previous run made whose segments it did not register (it died in between):
    // kept when the origin answers that its bytes are these (If-None-Match with their MD5: 304,
    // no bytes sent), else replaced (objects here are written once).
    const before = await backend.head(path);
    const beforeMd5 = MD5.exec(before?.etag ?? '')?.[1]?.toLowerCase();
    const conditions: Record<string, string> =
      beforeMd5 === undefined ? {} : { 'if-none-match': `"${beforeMd5}"` };
    let failure: unknown;
    for (const url of object.urls) {
      let res: Awaited<ReturnType<Origin['media']>>;
      try {
        res = await this.deps.origin.media(url, conditions);
      } catch (error) {
        failure = error;
        continue;
      }
      if (res.status === 304) return 0;
      if (before !== null && before !== undefined) await backend.delete(path);
      const declared = Number(res.headers['content-length']);
      const etag = MD5.exec(String(res.headers.etag ?? ''))?.[1]?.toLowerCase();
      const hash = createHash('md5');
      let size = 0;
      // A transform, not a 'data' listener: a listener would set the bytes flowing before the
      // backend reads them.
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      const written = writer.writeStream(path, {
        body: counted,
        size: Number.isFinite(declared) ? declared : -1,
        contentType: object.contentType ?? res.headers['content-type'] ?? 'application/octet-stream',
      });
      await Promise.all([pipeline(res.body, counted), written]);
      const md5 = hash.digest('hex');
      if (Number.isFinite(declared) && declared !== size)
        throw new OriginError(
          `object ${object.id}: ${size} bytes read of the ${declared} the origin announced`,
        );
      if (etag !== undefined && etag !== md5)
        throw new OriginError(`object ${object.id}: its bytes' MD5 ${md5} is not the origin's ETag ${etag}`);
      const stored = await backend.head(path);
      if (stored === null || stored === undefined || stored.size !== size)
        throw new Error(`object ${object.id}: ${stored?.size ?? 'nothing'} stored of ${size} bytes copied`);
      const storedMd5 = MD5.exec(stored.etag ?? '')?.[1]?.toLowerCase();
      if (storedMd5 !== undefined && storedMd5 !== md5)
        throw new Error(`object ${object.id}: the backend holds MD5 ${storedMd5}, not the ${md5} copied`);
      return size;
    }
    throw failure instanceof Error ? failure : new OriginError(`object ${object.id} could not be read`);
  }
}
