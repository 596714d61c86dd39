import { checkCell } from '../common/cells.ts';
import type { TamsStore } from '../store/store.ts';
import type { EventStreamMechanism, Service, StorageBackendsList } from './service.schemas.ts';

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
  /** Storage backends as /service/storage-backends lists them (populated at deployment). */
  storageBackends: () => StorageBackendsList;
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

  storageBackends(): StorageBackendsList {
    return this.deps.storageBackends();
  }
}
