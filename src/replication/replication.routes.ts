import { Type } from 'typebox';
import { isJobCursor } from '../feature/feature.jobs.ts';
import {
  decodePageKey,
  effectiveLimit,
  PagingHeaders,
  type PagingSettings,
  setPagingHeaders,
} from '../http/paging.ts';
import { actorOf } from '../http/principal.ts';
import { errors, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { EVENT_KEY_HEADER } from './replication.events.ts';
import {
  Replication,
  ReplicationFlow,
  ReplicationListQuery,
  ReplicationParams,
  ReplicationPost,
} from './replication.schemas.ts';
import type { ReplicationService } from './replication.service.ts';

export interface ReplicationRoutesDeps {
  replication: ReplicationService;
  paging: PagingSettings;
  publicUrl: string;
}

const TAGS = ['Replication'];
const BEYOND = 'Beyond TAMS 7.0 (docs/replication.md).';
const NOT_FOUND = 'The replication job does not exist.';

export async function replicationRoutes(app: App, deps: ReplicationRoutesDeps): Promise<void> {
  const { replication } = deps;

  app.post(
    '/replications',
    {
      schema: {
        operationId: 'POST_replications',
        summary: 'Replicate from another TAMS',
        description: `A replication job: the origin is checked against the allow-list (TAMS_REPLICATION_ALLOW), then a replica takes the job, asks the origin's /service for its version, and copies the Flows selected (with their Sources) and their segments with every field, media by reference or by copy; then follows the origin unless told not to. Needs the write and read scopes. ${BEYOND}`,
        tags: TAGS,
        body: ReplicationPost,
        response: {
          201: ok(Replication, 'The job, waiting for a replica to take it.'),
          ...errors({ 400: 'Bad request: the origin is refused (the reason says why), or a field is.' }),
        },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return replication.create(request.body, actorOf(request));
    },
  );

  app.get(
    '/replications',
    {
      schema: {
        operationId: 'GET_replications',
        summary: 'Replication jobs',
        description: `Every replication job, oldest first, with its state and counts. ${BEYOND}`,
        tags: TAGS,
        querystring: ReplicationListQuery,
        response: {
          200: { ...ok(Type.Array(Replication)), headers: PagingHeaders },
          ...errors({ 400: 'Bad request. Invalid query options.' }),
        },
      },
    },
    async (request, reply) => {
      const limit = effectiveLimit(request.query.limit, deps.paging);
      const after = decodePageKey(request.query.page, isJobCursor);
      const page = await replication.list(limit, after);
      setPagingHeaders(request, reply, deps.publicUrl, limit, page.next);
      return page.items;
    },
  );

  app.get(
    '/replications/:id',
    {
      schema: {
        operationId: 'GET_replications-id',
        summary: 'A replication job',
        description: `Its state, the replica running it, what it copied, its lag behind the origin and last error. ${BEYOND}`,
        tags: TAGS,
        params: ReplicationParams,
        response: { 200: ok(Replication), ...errors({ 404: NOT_FOUND }) },
      },
    },
    async (request) => replication.get(request.params.id),
  );

  app.get(
    '/replications/:id/flows',
    {
      schema: {
        operationId: 'GET_replications-id-flows',
        summary: 'The Flows a replication job follows',
        description: `Each origin Flow with its id here (the mapping, when ids are mapped), the segments copied and how far. ${BEYOND}`,
        tags: TAGS,
        params: ReplicationParams,
        response: { 200: ok(Type.Array(ReplicationFlow)), ...errors({ 404: NOT_FOUND }) },
      },
    },
    async (request) => replication.flows(request.params.id),
  );

  for (const [action, want, summary] of [
    ['pause', 'pause', 'Pause a replication'],
    ['resume', 'run', 'Resume a replication'],
  ] as const) {
    app.post(
      `/replications/:id/${action}`,
      {
        schema: {
          operationId: `POST_replications-id-${action}`,
          summary,
          description:
            action === 'pause'
              ? `The replica running it stops after the page under way and lets the job go (\`state\` paused); its cursors stay. ${BEYOND}`
              : `A replica takes the job again and goes on from its cursors: nothing is copied twice. ${BEYOND}`,
          tags: TAGS,
          params: ReplicationParams,
          response: { 200: ok(Replication), ...errors({ 404: NOT_FOUND }) },
        },
      },
      async (request) => replication.want(request.params.id, want),
    );
  }

  app.post(
    '/replications/:id/events',
    {
      // The origin's deliveries carry the job's key, not credentials of this server.
      config: { tamsAuth: 'public' },
      schema: {
        operationId: 'POST_replications-id-events',
        summary: 'An event from a replication origin',
        description: `Where a job's origin delivers the events of the webhook the job registered there (header \`${EVENT_KEY_HEADER}\`: the job's key, given to the origin alone): the job looks at the origin at once, and a deletion there is made here when the job mirrors deletions. ${BEYOND}`,
        tags: TAGS,
        // No credentials of this server: the document says so (the key is the job's).
        security: [],
        params: ReplicationParams,
        body: Type.Object({}, { additionalProperties: true }),
        response: {
          204: Type.Null({ description: 'Taken.' }),
          ...errors({
            400: 'Bad request: the body is not a JSON object.',
            404: 'No such job, or not its key.',
          }),
        },
      },
    },
    async (request, reply) => {
      const key = request.headers[EVENT_KEY_HEADER];
      await replication.receive(request.params.id, typeof key === 'string' ? key : undefined, request.body);
      reply.code(204);
    },
  );

  app.delete(
    '/replications/:id',
    {
      schema: {
        operationId: 'DELETE_replications-id',
        summary: 'Delete a replication job',
        description: `Stops it and forgets the job and its cursors; the Sources, Flows and segments it copied stay. ${BEYOND}`,
        tags: TAGS,
        params: ReplicationParams,
        response: { 204: Type.Null({ description: 'Deleted.' }), ...errors({ 404: NOT_FOUND }) },
      },
    },
    async (request, reply) => {
      await replication.delete(request.params.id);
      reply.code(204);
    },
  );
}
