import { Type } from 'typebox';
import type { ApiMount } from '../http/api.version.ts';
import { ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { formatTimestamp, NS_PER_SECOND } from '../time/index.ts';
import type { EventStreamMechanism } from './service.schemas.ts';
import type { ServiceInfoService } from './service.service.ts';
import { ServiceV8 } from './service.v8.schemas.ts';

export interface ServiceV8RoutesDeps {
  service: ServiceInfoService;
  mount: ApiMount;
  /** Names of the root endpoints the mount serves (GET /). */
  rootEndpoints: () => string[];
  /** The event stream mechanisms of 8.2's own the mount serves (`event_stream_mechanisms`). */
  eventStreams: () => EventStreamMechanism[];
}

const seconds = (value: number) => formatTimestamp(BigInt(value) * NS_PER_SECOND);

/** TAMS 8.2's `/` and `/service` (GET, and HEAD beside each). */
export async function serviceV8Routes(app: App, deps: ServiceV8RoutesDeps): Promise<void> {
  app.get(
    '/',
    {
      schema: {
        operationId: 'GET_root',
        summary: 'List Root Endpoints',
        description: 'List of paths available from this API.',
        tags: ['Service'],
        response: { 200: ok(Type.Array(Type.String())) },
      },
    },
    async () => deps.rootEndpoints(),
  );

  app.get(
    '/service',
    {
      schema: {
        operationId: 'GET_service',
        summary: 'Service Information',
        description: 'Provide information about the service.',
        tags: ['Service'],
        response: { 200: ok(ServiceV8) },
      },
    },
    async () => {
      // 7.0's event stream mechanisms are not 8.2's (8.2 webhooks carry ids, their events other
      // bodies; the root's event stream sends 7.0's): the mount's own are listed instead.
      const { event_stream_mechanisms: _sevenOnly, ...info } = await deps.service.get();
      const timeouts = deps.service.timeouts();
      const mechanisms = deps.eventStreams();
      return {
        ...info,
        ...(mechanisms.length > 0 && { event_stream_mechanisms: mechanisms }),
        api_version: deps.mount.version,
        min_object_timeout: seconds(timeouts.unregisteredObjectSeconds),
        min_presigned_url_timeout: seconds(timeouts.presignedUrlSeconds),
      };
    },
  );
}
