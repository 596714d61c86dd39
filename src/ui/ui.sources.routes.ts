import { Type } from 'typebox';
import type { FlowsService } from '../flows/flows.service.ts';
import { UUID_PATTERN } from '../http/common.schemas.ts';
import { errors, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';

/** Sources one request asks about at most: a page of the UI's Sources list (and then some). */
export const MAX_SOURCES = 100;
/** Flows counted per Source at most; beyond, `more_flows` says so. */
export const COUNT_LIMIT = 100;
/** Sources whose Flows are read at once: a page of them must not hold every connection. */
const PARALLEL = 8;

const UUID = UUID_PATTERN.slice(1, -1);

const Query = Type.Object({
  source_id: Type.String({
    description: `The Sources, as UUIDs separated by commas (at most ${MAX_SOURCES}).`,
    pattern: `^${UUID}(,${UUID}){0,${MAX_SOURCES - 1}}$`,
  }),
});

const Summary = Type.Object({
  source_id: Type.String({ pattern: UUID_PATTERN }),
  flow_count: Type.Integer({
    minimum: 0,
    description: `The Source's Flows, counted up to ${COUNT_LIMIT}.`,
  }),
  more_flows: Type.Boolean({ description: `Whether the Source has more than ${COUNT_LIMIT} Flows.` }),
  flow_label: Type.Optional(
    Type.String({
      description:
        "The label of its first labelled Flow (in the order GET /flows lists them), for a Source without a label of its own: one a Flow's `source_id` made.",
    }),
  ),
});

export interface SourceFlowsSummary {
  source_id: string;
  flow_count: number;
  more_flows: boolean;
  flow_label?: string;
}

async function summarise(flows: FlowsService, sourceId: string): Promise<SourceFlowsSummary> {
  const page = await flows.list(
    { source_id: sourceId, tags: { equals: {}, exists: {} } },
    undefined,
    COUNT_LIMIT + 1,
  );
  const counted = page.items.slice(0, COUNT_LIMIT);
  const label = counted.find((flow) => flow.label)?.label;
  return {
    source_id: sourceId,
    flow_count: counted.length,
    more_flows: page.items.length > COUNT_LIMIT,
    ...(label && { flow_label: label }),
  };
}

/**
 * What the web UI's Sources list shows beside each Source: its Flow count and, for a Source with
 * no label, its Flows' label. One request for a page of Sources, where asking GET /flows per row
 * cost the list a request (and up to 100 Flows' JSON) per Source. Through the store's own Flow
 * listing, so every engine answers it as it answers GET /flows?source_id=….
 */
export async function uiSourcesRoutes(app: App, deps: { flows: FlowsService }): Promise<void> {
  app.get(
    '/sources/flow-summaries',
    {
      schema: {
        operationId: 'GET_sources-flow-summaries',
        summary: 'Flow counts and labels of Sources',
        description:
          "For each Source listed in `source_id`, in that order: how many Flows have it as their `source_id` (up to 100, and whether there are more), and the label of its first labelled Flow. What the web UI's Sources list shows of a page of Sources, in one request. A Source that does not exist has no Flows. Authorised like GET /flows (the read scope). A tams-server extension (beyond TAMS 7.0).",
        tags: ['UI'],
        querystring: Query,
        response: {
          200: ok(Type.Array(Summary), 'One summary per Source asked about, in the order asked.'),
          ...errors({ 400: `A \`source_id\` that is not a list of 1 to ${MAX_SOURCES} UUIDs.` }),
        },
      },
    },
    async (request) => {
      const ids = [...new Set(request.query.source_id.split(','))];
      const out: SourceFlowsSummary[] = new Array(ids.length);
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < ids.length; i = next++)
          out[i] = await summarise(deps.flows, ids[i] as string);
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL, ids.length) }, worker));
      return out;
    },
  );
}
