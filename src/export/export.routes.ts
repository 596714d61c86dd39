import type { FastifyReply } from 'fastify';
import { FlowParams } from '../flows/flows.routes.ts';
import type { ApiMount } from '../http/api.version.ts';
import { storedTimerangeParam } from '../http/params.ts';
import { errors } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { contentDisposition } from './export.name.ts';
import { ExportQuery, exportResponse } from './export.schemas.ts';
import type { ExportService } from './export.service.ts';

const TAGS = ['Export'];

/** Download of a timerange of a Flow as one media file (issue 50). */
export async function exportRoutes(
  app: App,
  deps: { exports: ExportService; mount: ApiMount },
): Promise<void> {
  app.get(
    '/flows/:flowId/export',
    {
      schema: {
        operationId: 'GET_flows-flowId-export',
        summary: 'A timerange of a Flow as one media file',
        description: `The stored objects of the Flow's segments overlapping \`timerange\`, whole, in timeline order, as one file: MPEG-TS segments concatenated, or a fragmented MP4 Flow's init segment (the segments' TAMS 8.2 \`init_object\`, else the object its \`_tams-server_init_object_id\` tag names) followed by its fragments. The server reads the objects from its storage backends and streams them one after another; an object two consecutive segments share is sent once. Everything that refuses an export is checked before the first byte; a failure after it (an object gone, a backend error) cuts the response off, so a client never takes a short file for a whole one (the chunked body has no end). Gaps and \`ts_offset\` changes between segments are timestamp jumps in the file. Authorised like segment reads (the read scope); \`access_token\` in the query is accepted as for every route. HEAD answers the headers without reading media: a client learns there what a GET would send (\`X-Export-Timerange\`), or why it would be refused (the GET's error body says why before any media is read). A tams-server extension (beyond TAMS ${deps.mount.version}).`,
        tags: TAGS,
        params: FlowParams,
        querystring: ExportQuery,
        response: {
          200: exportResponse('The media file.'),
          ...errors({
            400: 'Bad request. An invalid timerange, or one beyond signed 64-bit nanoseconds (the times this store keeps); a Flow whose segments do not concatenate into a file (not MPEG-TS or fragmented MP4); segments whose objects only client-registered URLs reach (the server does not fetch them); an init segment that changes within the timerange; or more segments than TAMS_HLS_MAX_SEGMENTS.',
            404: 'The Flow does not exist, has no segments in the timerange, or an object of the export has no bytes in storage.',
          }),
        },
      },
    },
    async (request, reply) => {
      const plan = await deps.exports.plan(
        request.params.flowId,
        storedTimerangeParam(request.query.timerange),
      );
      const sent = (reply as unknown as FastifyReply)
        .type(plan.contentType)
        .header('content-disposition', contentDisposition(plan.fileName))
        .header('x-export-timerange', plan.covered.format())
        .header('x-export-segments', String(plan.segmentCount))
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff');
      // A HEAD answers what a GET would send, without reading any media.
      if (request.method === 'HEAD') return sent.send();
      return sent.send(deps.exports.stream(plan));
    },
  );
}
