/**
 * The schemas the OpenAPI document names as components (src/http/openapi.components.ts says how
 * the operations come to refer to them): the TAMS 7.0 document's own components under its names
 * (`uuid`, `contentformat`, `mimetype`), and each of its schema files under the file's name in
 * PascalCase (`flow-segment.json` is `FlowSegment`, `error.json` is `Error`). `ErrorResponse`
 * is tams-server's error body (error.json plus `message`); `FlowCollectionItem`,
 * `StorageBackendsListItem` and `GetUrl` are parts the spec writes inline. Earlier names win where two have the same substance.
 *
 * Only the composition root (app.ts) reads this list: the areas keep their schemas, and a schema
 * edited there stays named here as long as its export keeps its name. The wings beyond the spec
 * name theirs themselves (FeatureRuntime.components), after these.
 */
import type { TSchema } from 'typebox';
import { DeletionRequest, DeletionRequestsList } from './deletion/deletion.schemas.ts';
import {
  Flow,
  FlowAudio,
  FlowCollection,
  FlowCollectionItem,
  FlowCore,
  FlowData,
  FlowImage,
  FlowMulti,
  FlowVideo,
} from './flows/flows.schemas.ts';
import { FlowAudioV8, FlowDataV8, FlowImageV8, FlowVideoV8 } from './flows/flows.technical.v8.schemas.ts';
import { FlowCollection82, FlowGet82, FlowMulti82, FlowPut82, FlowStatus } from './flows/flows.v8.schemas.ts';
import type { ApiVersion } from './http/api.version.ts';
import {
  CollectionItem,
  ContainerMapping,
  ContentFormat,
  ErrorBody,
  ErrorInfo,
  MimeTypeQuery,
  Tags,
  TimeRange,
  Timestamp,
  Uuid,
} from './http/common.schemas.ts';
import { CollectionItem82, ContentFormat82, MimeType82, UuidListEmpty } from './http/common.v8.schemas.ts';
import { Tags82 } from './http/tags.version.ts';
import { MediaObject } from './objects/objects.schemas.ts';
import { Profile } from './profiles/profiles.schemas.ts';
import { FlowSegment, FlowSegmentBulkFailure, FlowSegmentPost, GetUrl } from './segments/segments.schemas.ts';
import {
  EventStreamMechanism,
  Service,
  ServicePost,
  StorageBackend,
  StorageBackendsList,
  StorageBackendsListItem,
} from './service/service.schemas.ts';
import {
  ServiceV8,
  StorageBackendsListItemV8,
  StorageBackendsListV8,
  StorageBackendV8,
} from './service/service.v8.schemas.ts';
import { Source } from './sources/sources.schemas.ts';
import { Source82 } from './sources/sources.v8.schemas.ts';
import { FlowStorage, FlowStoragePost, HttpRequest } from './storage/storage.schemas.ts';
import { FlowStorage82, FlowStoragePost82 } from './storage/storage.v8.schemas.ts';
import { Webhook, WebhookPost } from './webhooks/webhooks.schemas.ts';
import { WebhookGet, WebhookPostV8, WebhookPut } from './webhooks/webhooks.v8.schemas.ts';

export const OPENAPI_COMPONENTS: Record<string, TSchema> = {
  Flow,
  FlowVideo,
  FlowAudio,
  FlowImage,
  FlowData,
  FlowMulti,
  FlowCore,
  FlowCollection,
  FlowCollectionItem,
  Source,
  FlowSegment,
  FlowSegmentPost,
  FlowSegmentBulkFailure,
  GetUrl,
  Object: MediaObject,
  FlowStorage,
  FlowStoragePost,
  HttpRequest,
  Service,
  ServicePost,
  EventStreamCommon: EventStreamMechanism,
  StorageBackend,
  StorageBackendsList,
  StorageBackendsListItem,
  Webhook,
  WebhookPost,
  DeletionRequest,
  DeletionRequestsList,
  ErrorResponse: ErrorBody,
  Error: ErrorInfo,
  CollectionItem,
  ContainerMapping,
  Tags,
  Timerange: TimeRange,
  Timestamp,
  uuid: Uuid,
  contentformat: ContentFormat,
  mimetype: MimeTypeQuery,
  // Beyond TAMS 7.0: each wing switched on adds its own (FeatureRuntime.components).
};

/**
 * The components of each versioned mount's own document (src/app.routes.ts): 7.0's are the
 * list above without the wings'; 8.2's are its schema files that its operations so far use,
 * named the same way, and grow with them.
 */
export const MOUNT_COMPONENTS: Record<ApiVersion, Record<string, TSchema>> = {
  '7.0': OPENAPI_COMPONENTS,
  '8.2': {
    Service: ServiceV8,
    ServicePost,
    EventStreamCommon: EventStreamMechanism,
    StorageBackend: StorageBackendV8,
    StorageBackendsList: StorageBackendsListV8,
    StorageBackendsListItem: StorageBackendsListItemV8,
    DeletionRequest,
    Profile,
    FlowGet: FlowGet82,
    FlowPut: FlowPut82,
    FlowVideo: FlowVideoV8,
    FlowAudio: FlowAudioV8,
    FlowImage: FlowImageV8,
    FlowData: FlowDataV8,
    FlowMulti: FlowMulti82,
    FlowStatus,
    FlowStorage: FlowStorage82,
    FlowStoragePost: FlowStoragePost82,
    HttpRequest,
    FlowCollection: FlowCollection82,
    Source: Source82,
    CollectionItem: CollectionItem82,
    ContainerMapping,
    ErrorResponse: ErrorBody,
    Error: ErrorInfo,
    Tags: Tags82,
    Timerange: TimeRange,
    Timestamp,
    Uuid,
    UuidListEmpty,
    ContentFormat: ContentFormat82,
    MimeType: MimeType82,
    WebhookGet,
    WebhookPost: WebhookPostV8,
    WebhookPut,
    uuid: Uuid,
  },
};
