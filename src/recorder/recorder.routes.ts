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
import { Recording, RecordingListQuery, RecordingParams, RecordingPost } from './recorder.schemas.ts';
import type { RecorderService } from './recorder.service.ts';

export interface RecorderRoutesDeps {
  recorder: RecorderService;
  paging: PagingSettings;
  publicUrl: string;
}

const TAGS = ['Recordings'];
const BEYOND = 'Beyond TAMS 7.0 (docs/recorder.md).';
const NOT_FOUND = 'The recording job does not exist.';
export async function recorderRoutes(app: App, deps: RecorderRoutesDeps): Promise<void> {
  const { recorder } = deps;

  app.post(
    '/recordings',
    {
      schema: {
        operationId: 'POST_recordings',
        summary: 'Record a live source',
        description: `A recording job: the source is checked (its kind; network sources against the allow-list, TAMS_RECORDER_ALLOW; file sources inside TAMS_RECORDER_FILE_DIR; ffmpeg installed), then a replica takes the job, probes the source, makes the Source and its Flows (a video Flow, an audio Flow per track, a multi Flow over them) and registers each finished segment with the timerange its timestamps give. Needs the write scope. ${BEYOND}`,
        tags: TAGS,
        body: RecordingPost,
        response: {
          201: ok(Recording, 'The job, waiting for a replica to take it.'),
          ...errors({
            400: 'Bad request: the source is refused (the reason says why), or ffmpeg is missing.',
          }),
        },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return recorder.create(request.body, actorOf(request));
    },
  );

  app.get(
    '/recordings',
    {
      schema: {
        operationId: 'GET_recordings',
        summary: 'Recording jobs',
        description: `Every recording job, oldest first, with its state. ${BEYOND}`,
        tags: TAGS,
        querystring: RecordingListQuery,
        response: {
          200: { ...ok(Type.Array(Recording)), headers: PagingHeaders },
          ...errors({ 400: 'Bad request. Invalid query options.' }),
        },
      },
    },
    async (request, reply) => {
      const limit = effectiveLimit(request.query.limit, deps.paging);
      const after = decodePageKey(request.query.page, isJobCursor);
      const page = await recorder.list(limit, after);
      setPagingHeaders(request, reply, deps.publicUrl, limit, page.next);
      return page.items;
    },
  );

  app.get(
    '/recordings/:id',
    {
      schema: {
        operationId: 'GET_recordings-id',
        summary: 'A recording job',
        description: `Its state, the replica running it, segments written, lag behind the wall clock and last error. ${BEYOND}`,
        tags: TAGS,
        params: RecordingParams,
        response: { 200: ok(Recording), ...errors({ 404: NOT_FOUND }) },
      },
    },
    async (request) => recorder.get(request.params.id),
  );

  for (const [action, want, summary] of [
    ['stop', 'stop', 'Stop a recording'],
    ['start', 'record', 'Record again'],
  ] as const) {
    app.post(
      `/recordings/:id/${action}`,
      {
        schema: {
          operationId: `POST_recordings-id-${action}`,
          summary,
          description:
            action === 'stop'
              ? `The replica running it ends ffmpeg, registering the segment in progress, and lets the job go (\`state\` stopped). ${BEYOND}`
              : `A stopped job is taken again by a replica: its Flows go on after what was recorded, with a gap. ${BEYOND}`,
          tags: TAGS,
          params: RecordingParams,
          response: { 200: ok(Recording), ...errors({ 404: NOT_FOUND }) },
        },
      },
      async (request) => recorder.want(request.params.id, want),
    );
  }

  app.delete(
    '/recordings/:id',
    {
      schema: {
        operationId: 'DELETE_recordings-id',
        summary: 'Delete a recording job',
        description: `Stops it and forgets the job; its Source, Flows and segments stay. ${BEYOND}`,
        tags: TAGS,
        params: RecordingParams,
        response: { 204: Type.Null({ description: 'Deleted.' }), ...errors({ 404: NOT_FOUND }) },
      },
    },
    async (request, reply) => {
      await recorder.delete(request.params.id);
      reply.code(204);
    },
  );
}
