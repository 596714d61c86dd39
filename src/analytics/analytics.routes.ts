import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import {
  decodePageKey,
  effectiveLimit,
  PagingHeaders,
  type PagingSettings,
  setPagingHeaders,
} from '../http/paging.ts';
import { errors, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import {
  CoverageDoc,
  CoverageQuery,
  DurationsDoc,
  DurationsQuery,
  ExportQuery,
  FlowParams,
  StorageDoc,
  StorageQuery,
  TopDoc,
  TopQuery,
  UsageDoc,
  UsageQuery,
} from './analytics.schemas.ts';
import type { AnalyticsService } from './analytics.service.ts';

export interface AnalyticsRoutesDeps {
  analytics: AnalyticsService;
  paging: PagingSettings;
  publicUrl: string;
}

const TAGS = ['Analytics'];
const BEYOND = 'Beyond TAMS 7.0.';
const NO_FLOW = 'The requested Flow does not exist.';
/** Page cursors: a nanosecond position (usage buckets, coverage spans) or a Flow id (durations). */
const POSITION = /^-?[0-9]{1,19}$/;
const FLOW_ID = /^[0-9a-f-]{36}$/;
const MEDIA_TYPES = { parquet: 'application/vnd.apache.parquet', csv: 'text/csv' } as const;

const Binary = Type.Unsafe<string>({ type: 'string', format: 'binary' });

export async function analyticsRoutes(app: App, deps: AnalyticsRoutesDeps): Promise<void> {
  const { analytics } = deps;

  app.get(
    '/analytics/flows/:id/usage',
    {
      schema: {
        operationId: 'GET_analytics-flows-id-usage',
        summary: 'Usage of a Flow',
        description: `Segments, covered duration, objects and bytes of a Flow over a window of its timeline, the first and last segment, and the same per ingest bucket (\`bucket\`: 1m, 1h, 1d on the media timeline; a segment counts where it starts). Bytes are those of objects whose size the object size follower has recorded (each object once); \`unsized_objects\` counts the others. The buckets are paged like the TAMS lists. ${BEYOND}`,
        tags: TAGS,
        params: FlowParams,
        querystring: UsageQuery,
        response: {
          200: { ...ok(UsageDoc), headers: PagingHeaders },
          ...errors({ 400: 'Bad request. Invalid query options.', 404: NO_FLOW }),
        },
      },
    },
    async (request, reply) => {
      const limit = effectiveLimit(request.query.limit, deps.paging);
      const after = decodePageKey(request.query.page, (c) => POSITION.test(c));
      const { doc, next } = await analytics.usage(request.params.id, request.query, {
        limit,
        ...(after !== undefined && { after }),
      });
      setPagingHeaders(request, reply, deps.publicUrl, limit, next);
      return doc;
    },
  );

  app.get(
    '/analytics/flows/:id/coverage',
    {
      schema: {
        operationId: 'GET_analytics-flows-id-coverage',
        summary: 'Coverage of a Flow',
        description: `A Flow's timeline as covered spans and gaps, with the inclusivity of every bound: adjacent segments (\`[0:0_10:0)\` then \`[10:0_20:0)\`) make one span, and a single missing instant between them is a gap. Holes no longer than \`min_gap\` are bridged. With \`timerange\`, spans are cut to it and its uncovered ends are gaps. Says whether the Flow is live (its timeline ends within a day of now, TAI) and stalled (live, and ending more than \`stall_after\` ago). Spans are paged. ${BEYOND}`,
        tags: TAGS,
        params: FlowParams,
        querystring: CoverageQuery,
        response: {
          200: { ...ok(CoverageDoc), headers: PagingHeaders },
          ...errors({ 400: 'Bad request. Invalid query options.', 404: NO_FLOW }),
        },
      },
    },
    async (request, reply) => {
      const limit = effectiveLimit(request.query.limit, deps.paging);
      const after = decodePageKey(request.query.page, (c) => POSITION.test(c));
      const { doc, next } = await analytics.coverage(request.params.id, request.query, {
        limit,
        ...(after !== undefined && { after }),
      });
      setPagingHeaders(request, reply, deps.publicUrl, limit, next);
      return doc;
    },
  );

  app.get(
    '/analytics/storage',
    {
      schema: {
        operationId: 'GET_analytics-storage',
        summary: 'Storage usage',
        description: `Objects and bytes per storage backend and per Flow format, their growth per backend by hour or day (wall clock: when objects were registered), and the objects awaiting collection (allocated and never used; no longer used, bytes queued for deletion). ${BEYOND}`,
        tags: TAGS,
        querystring: StorageQuery,
        response: { 200: ok(StorageDoc), ...errors({ 400: 'Bad request. Invalid query options.' }) },
      },
    },
    async (request) => analytics.storage(request.query),
  );

  app.get(
    '/analytics/segments/durations',
    {
      schema: {
        operationId: 'GET_analytics-segments-durations',
        summary: 'Segment durations',
        description: `Percentiles (p50, p90, p99; nearest rank), minimum, maximum and mean of segment durations (end − start) of one Flow, of the Flows a filter selects (format, codec, Source), or of every Flow; per Flow too with \`group_by=flow\` (paged by Flow id). ${BEYOND}`,
        tags: TAGS,
        querystring: DurationsQuery,
        response: {
          200: { ...ok(DurationsDoc), headers: PagingHeaders },
          ...errors({ 400: 'Bad request. Invalid query options.', 404: NO_FLOW }),
        },
      },
    },
    async (request, reply) => {
      const limit = effectiveLimit(request.query.limit, deps.paging);
      const after = decodePageKey(request.query.page, (c) => FLOW_ID.test(c));
      const { doc, next } = await analytics.durations(request.query, {
        limit,
        ...(after !== undefined && { after }),
      });
      setPagingHeaders(request, reply, deps.publicUrl, limit, next);
      return doc;
    },
  );

  app.get(
    '/analytics/flows/top',
    {
      schema: {
        operationId: 'GET_analytics-flows-top',
        summary: 'Top Flows',
        description: `The Flows with the most bytes, segments or media duration (\`by=rate\`: per second of a bounded window) starting in a window of the media timeline, each with every figure. ${BEYOND}`,
        tags: TAGS,
        querystring: TopQuery,
        response: { 200: ok(TopDoc), ...errors({ 400: 'Bad request. Invalid query options.' }) },
      },
    },
    async (request) => analytics.top(request.query),
  );

  app.get(
    '/analytics/export',
    {
      schema: {
        operationId: 'GET_analytics-export',
        summary: 'Export a table',
        description: `A table's rows, or one Flow's segments (\`table=segments\` with \`flow_id\` and \`timerange\`), streamed as Parquet or CSV for pandas, Polars or Spark: the bytes leave as the database writes them, never held whole. At most \`limit\` rows (capped by TAMS_ANALYTICS_EXPORT_MAX_ROWS); \`X-Export-Rows\` says how many, \`X-Export-Truncated\` whether the table held more. ${BEYOND}`,
        tags: TAGS,
        querystring: ExportQuery,
        response: {
          // The handler sends a stream (no serializer runs): this documents it.
          200: {
            description: 'The rows, as Parquet or CSV (with a header line).',
            headers: {
              'X-Export-Rows': Type.Integer({ description: 'Rows in the export.' }),
              'X-Export-Truncated': Type.Boolean({ description: 'Whether the selection held more rows.' }),
              'Content-Disposition': Type.String(),
            },
            content: { [MEDIA_TYPES.parquet]: { schema: Binary }, [MEDIA_TYPES.csv]: { schema: Binary } },
          },
          ...errors({ 400: 'Bad request. Invalid query options.' }),
        },
      },
    },
    async (request, reply) => {
      const plan = await analytics.export(request.query);
      // The typed reply knows the documented body (a binary string); what is sent is a stream.
      const out = reply as unknown as FastifyReply;
      out
        .type(MEDIA_TYPES[plan.format])
        .header('Content-Disposition', `attachment; filename="${plan.table}.${plan.format}"`)
        .header('X-Export-Rows', String(plan.rows))
        .header('X-Export-Truncated', String(plan.truncated));
      // HEAD: the headers a GET would get, without running the export.
      if (request.method === 'HEAD') return out.send();
      return out.send(plan.open());
    },
  );
}
