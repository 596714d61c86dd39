import { BadRequestError } from '../common/errors.ts';
import type { MediaStore, StorageBackendDescriptor, UuidKeyUrlSource } from './media.types.ts';

/**
 * The storage backends of this deployment (configured at start-up; ADR 0032: no API adds or
 * removes them), with the one used when a client names none.
 */
export class MediaRegistry {
  private readonly byId: Map<string, MediaStore>;

  constructor(readonly stores: readonly MediaStore[]) {
    this.byId = new Map(stores.map((s) => [s.descriptor.id, s]));
    if (this.byId.size !== stores.length) throw new Error('storage backend ids must be unique');
    if (stores.filter((s) => s.descriptor.default_storage).length > 1) {
      throw new Error('at most one storage backend can be the default');
    }
  }

  descriptors(): StorageBackendDescriptor[] {
    return this.stores.map((s) => s.descriptor);
  }

  get(id: string): MediaStore | undefined {
    return this.byId.get(id);
  }

  /** The backend a /storage request asks for, or the default; 400 when there is none. */
  resolve(storageId: string | undefined): MediaStore {
    if (storageId !== undefined) {
      const store = this.byId.get(storageId);
      if (!store)
        throw new BadRequestError(`storage_id ${storageId} is not a storage backend of this service`);
      return store;
    }
    const fallback = this.stores.find((s) => s.descriptor.default_storage);
    if (!fallback)
      throw new BadRequestError('This service has no default storage backend: give a storage_id');
    return fallback;
  }

  async close(): Promise<void> {
    await Promise.all(this.stores.map((s) => s.close()));
  }
}

/**
 * `get_urls` labels in the form of application note 0009:
 * `<provider>[.<region>[.<availabilityZone>]]:<storeType>[.presigned]:<storeName>`, where the
 * store type is the backend's product and the store name its label.
 */
export function urlLabel(backend: StorageBackendDescriptor, presigned: boolean): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');
  let location = clean(backend.provider);
  if (backend.region !== undefined) {
    location += `.${clean(backend.region)}`;
    if (backend.availability_zone !== undefined) location += `.${clean(backend.availability_zone)}`;
  }
  const type = clean(backend.store_product) + (presigned ? '.presigned' : '');
  return `${location}:${type}:${clean(backend.label ?? backend.id)}`;
}

/**
 * The backend's URLs of `<dir>/<uuid>` keys made a page at once, where it offers them (the fs
 * backend: its URLs are its route, the key and an HMAC of it); undefined for a backend whose URLs
 * are signed key by key (S3), whose pages are made with presignGets.
 */
export function uuidKeyUrlsOf(store: MediaStore): UuidKeyUrlSource | undefined {
  const offered = store as MediaStore & Partial<UuidKeyUrlSource>;
  return typeof offered.presignUuidGets === 'function' && typeof offered.directUuidGetUrls === 'function'
    ? (offered as MediaStore & UuidKeyUrlSource)
    : undefined;
}
