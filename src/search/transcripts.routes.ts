import { Type } from 'typebox';
import { BadRequestError } from '../common/errors.ts';
import { describe, Uuid } from '../http/common.schemas.ts';
import { publicBaseUrl } from '../http/paging.ts';
import { actorOf } from '../http/principal.ts';
import { errors, noContent, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { TimeFormatError } from '../time/index.ts';
import { Transcript, TranscriptParams, TranscriptPost } from './transcripts.schemas.ts';
import type { TranscriptDoc, TranscriptInput, TranscriptsService } from './transcripts.service.ts';

export interface TranscriptsRoutesDeps {
  transcripts: TranscriptsService;
  publicUrl: string;
}

const TAGS = ['Search'];
const NOT_FOUND = 'The requested transcript does not exist.';

export async function transcriptsRoutes(app: App, deps: TranscriptsRoutesDeps): Promise<void> {
  const { transcripts } = deps;

  app.post(
    '/search/transcripts',
    {
      schema: {
        operationId: 'POST_search-transcripts',
        summary: 'Post a transcript version',
        description:
          'Adds a transcript of a Flow made elsewhere (speech recognition): timed cues with text, speaker and confidence. The version is STAGING (not searched) until published. Beyond TAMS 7.0.',
        tags: TAGS,
        body: TranscriptPost,
        response: {
          201: {
            ...ok(Transcript, 'The transcript version was created.'),
            headers: { Location: Type.String() },
          },
          ...errors({ 400: 'Bad request. Invalid transcript.', 404: 'The Flow does not exist.' }),
        },
      },
    },
    async (request, reply) => {
      let record: TranscriptDoc;
      try {
        record = await transcripts.create(request.body as TranscriptInput, actorOf(request));
      } catch (error) {
        if (error instanceof TimeFormatError) throw new BadRequestError(`body.cues: ${error.message}`);
        throw error;
      }
      return reply
        .code(201)
        .header('Location', `${publicBaseUrl(request, deps.publicUrl)}/search/transcripts/${record.id}`)
        .send(record);
    },
  );

  app.get(
    '/search/transcripts',
    {
      schema: {
        operationId: 'GET_search-transcripts',
        summary: 'List the transcript versions of a Flow',
        description: 'Newest first. Beyond TAMS 7.0.',
        tags: TAGS,
        querystring: Type.Object({ flow_id: describe(Uuid, 'The Flow whose transcripts to list.') }),
        response: {
          200: ok(Type.Array(Transcript)),
          ...errors({ 400: 'Bad request. Invalid query options.' }),
        },
      },
    },
    async (request) => transcripts.list(request.query.flow_id),
  );

  app.get(
    '/search/transcripts/:transcriptId',
    {
      schema: {
        operationId: 'GET_search-transcripts-transcriptId',
        summary: 'A transcript version',
        description: 'With its cues when `include_cues=true`. Beyond TAMS 7.0.',
        tags: TAGS,
        params: TranscriptParams,
        querystring: Type.Object({ include_cues: Type.Optional(Type.Boolean({ default: false })) }),
        response: { 200: ok(Transcript), ...errors({ 400: 'Bad request.', 404: NOT_FOUND }) },
      },
    },
    async (request) => transcripts.get(request.params.transcriptId, request.query.include_cues ?? false),
  );

  app.post(
    '/search/transcripts/:transcriptId/publish',
    {
      schema: {
        operationId: 'POST_search-transcripts-transcriptId-publish',
        summary: 'Publish a transcript version',
        description:
          "Makes the version ACTIVE (searched) and the Flow's previously ACTIVE version ARCHIVED, in one transaction. Publishing an ACTIVE version changes nothing; an ARCHIVED one may be published again. Beyond TAMS 7.0.",
        tags: TAGS,
        params: TranscriptParams,
        response: { 200: ok(Transcript), ...errors({ 400: 'Bad request.', 404: NOT_FOUND }) },
      },
    },
    async (request) => transcripts.publish(request.params.transcriptId),
  );

  app.delete(
    '/search/transcripts/:transcriptId',
    {
      schema: {
        operationId: 'DELETE_search-transcripts-transcriptId',
        summary: 'Delete a transcript version',
        description: 'Its cues leave the index. Beyond TAMS 7.0.',
        tags: TAGS,
        params: TranscriptParams,
        response: {
          204: noContent('The version was deleted.'),
          ...errors({ 400: 'Bad request.', 404: NOT_FOUND }),
        },
      },
    },
    async (request, reply) => {
      await transcripts.delete(request.params.transcriptId);
      return reply.code(204).send();
    },
  );
}
