import { checkCell } from '../common/cells.ts';
import type { TagFilters } from '../http/tags.version.ts';
import { listingOrder, pageOf, type SortCursor } from '../store/listing.order.ts';
import type { TamsStore } from '../store/store.ts';
import { tagsMatch } from '../store/tags.values.ts';
import type { EventStreamMechanism, Service, StorageBackendsList } from './service.schemas.ts';
import type { StorageBackendsListItemV8 } from './service.v8.schemas.ts';

export const SERVICE_TYPE = 'urn:x-tams:service.tams-server';

/** What /service says of the store, whatever the API version asked (each adds its `api_version`). */
export type ServiceInfo = Omit<Service, 'api_version'>;

/** How long this store keeps what it hands out, in seconds (8.2's /service advertises them). */
export interface ServiceTimeouts {
  /** How long an object allocated and not yet used by any segment is kept (TAMS_UNUSED_OBJECT_GRACE_SECONDS). */
  unregisteredObjectSeconds: number;
  /** How long a presigned URL it issues stays valid (TAMS_PRESIGN_EXPIRY_SECONDS). */
  presignedUrlSeconds: number;
}

export interface ServiceInfoDeps {
  store: TamsStore;
  serviceVersion: string;
  timeouts: ServiceTimeouts;
  defaults: { name: string; description: string };
  /** The storage backends (populated at deployment), with their configured tags. */
  storageBackends: () => StorageBackendsListItemV8[];
  /** Entries for `event_stream_mechanisms`, when the service offers any. */
  eventStreamMechanisms?: () => EventStreamMechanism[];
}

/** /service: identity of this store; name and description are editable and persist. */
export class ServiceInfoService {
  constructor(private readonly deps: ServiceInfoDeps) {}

  async get(): Promise<ServiceInfo> {
    const settings = this.deps.store.settings;
    const info: ServiceInfo = {
      type: SERVICE_TYPE,
      service_version: this.deps.serviceVersion,
      name: ((await settings.get('service.name')) as string | undefined) ?? this.deps.defaults.name,
      description:
        ((await settings.get('service.description')) as string | undefined) ?? this.deps.defaults.description,
    };
    const mechanisms = this.deps.eventStreamMechanisms?.() ?? [];
    if (mechanisms.length > 0) info.event_stream_mechanisms = mechanisms;
    return info;
  }

  async update(change: { name?: string; description?: string }): Promise<void> {
    // Each is kept as one stored value (JSON text).
    checkCell('name', change.name, true);
    checkCell('description', change.description, true);
    await this.deps.store.transaction(async (store) => {
      if (change.name !== undefined) await store.settings.set('service.name', change.name);
      if (change.description !== undefined)
        await store.settings.set('service.description', change.description);
    });
  }

  timeouts(): ServiceTimeouts {
    return this.deps.timeouts;
  }

  /** TAMS 7.0's /service/storage-backends: in configuration order; 7.0 has no backend tags. */
  storageBackends(): StorageBackendsList {
    return this.deps.storageBackends().map(({ tags: _eightOnly, ...backend }) => backend);
  }

  /**
   * A page of TAMS 8.2's /service/storage-backends: those whose tags pass `tags` (what the tag
   * filters of Flows and Sources mean, matched in memory: backends are configuration), by label
   * (ADR 0052: A→Z, unlabelled ones after by id; all reversed with `reverse`), after `after`.
   */
  storageBackendsPage(
    tags: TagFilters,
    reverse: boolean,
    after: SortCursor | undefined,
    limit: number,
  ): { items: StorageBackendsListItemV8[]; next?: SortCursor } {
    const backends = this.deps.storageBackends().filter((b) => tagsMatch(b.tags ?? {}, tags));
    const keyOf = (b: StorageBackendsListItemV8) => ({ value: b.label ?? null, id: b.id });
    return pageOf(backends, keyOf, listingOrder('string', reverse), after, limit);
  }
}
