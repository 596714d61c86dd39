import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ListingHeaders, reverseOrderQuery } from '../http/paging.listing.ts';
import {
  decodePageKey,
  effectiveLimit,
  PagingQuery,
  type PagingSettings,
  setPagingHeaders,
} from '../http/paging.ts';
import { errors, noContent, ok } from '../http/responses.ts';
import { tagFilters } from '../http/tags.version.ts';
import type { App } from '../http/types.ts';
import type { Viewer } from './webhooks.options.ts';
import type { WebhooksService } from './webhooks.service.ts';
import {
  decodeWebhookCursor,
  encodeWebhookCursor,
  type WebhookPageKey,
  webhookGetDocument,
} from './webhooks.v8.mapper.ts';
import { WebhookGet, WebhookParams, WebhookPostV8, WebhookPut } from './webhooks.v8.schemas.ts';
import { WEBHOOK_404 } from './webhooks.v8.service.ts';

export interface WebhooksV8RoutesDeps {
  webhooks: WebhooksService;
  /** Who the caller is, for listings and ownership (authentication decides who administers). */
  viewer: (request: FastifyRequest) => Viewer;
  paging: PagingSettings;
  publicUrl: string;
}

const NOT_SUPPORTED = 'Webhooks are not supported by this API implementation';
const ID_404 = `${WEBHOOK_404} Or Webhooks are not supported by this service implementation.`;
const BAD = 'Bad request. Invalid parameters or unsupported event filtering or transformation.';
const OWNERS =
  "With authentication on, a caller sees and manages its own webhooks, administrators everyone's (another principal's webhook is a 404).";
const VERSIONS =
  "Webhooks created through TAMS 7.0 are here too, with their ids: each keeps the API version it was created through, and receives that version's event payloads.";

/** 8.2's `url-tag-list.json`: a comma-separated list of values. */
const URL_TAG_LIST = '^([^,]+(,[^,]+)*)?$';

/** The listing's query: its `tag.*` names are data (their literal entries document them). */
const WebhooksListQuery = Type.Object(
  {
    reverse_order: reverseOrderQuery('Return Webhooks in reverse-alphabetical order of their `url`.'),
    'tag.{name}': Type.Optional(
      Type.String({
        pattern: URL_TAG_LIST,
        description:
          "Filter on webhooks that have a tag named {name} with a value in the given comma-separated list of values. The {name} and the value MUST be URL encoded where special characters are present (a comma inside a value is `%2C`). Where the tag's value is a string, at least one of the given values will match. Where the tag's value is an array, at least one value in the array will match at least one of the given values. Partial string matches of the values are not valid.",
      }),
    ),
    'tag_exists.{name}': Type.Optional(
      Type.Boolean({
        description:
          'Filter on webhooks that have a tag named {name} regardless of value. If set to true then the presence of the tag is filtered for. If set to false then its absence is.',
      }),
    ),
    ...PagingQuery,
  },
  { patternProperties: { '^tag\\.': Type.String(), '^tag_exists\\.': Type.Boolean() } },
);

function pageKey(page: string | undefined): WebhookPageKey | undefined {
  const cursor = decodePageKey(page, (c) => decodeWebhookCursor(c) !== undefined);
  return cursor === undefined ? undefined : decodeWebhookCursor(cursor);
}

/** TAMS 8.2's `/service/webhooks` and `/service/webhooks/{webhookId}` (HEAD beside each GET). */
export async function webhooksV8Routes(app: App, deps: WebhooksV8RoutesDeps): Promise<void> {
  const service = deps.webhooks.v8;

  app.get(
    '/service/webhooks',
    {
      schema: {
        operationId: 'GET_webhooks',
        summary: 'List Webhook URLs',
        description: `Get the list of registered webhooks, in alphabetical order of their \`url\` (then id), paged. The \`api_key_value\` is never returned. ${VERSIONS} ${OWNERS}`,
        tags: ['Webhooks'],
        querystring: WebhooksListQuery,
        response: {
          200: {
            ...ok(Type.Array(WebhookGet), 'Return the list of known webhook URLs.'),
            headers: ListingHeaders,
          },
          ...errors({ 400: 'Bad request. Invalid query options.', 404: NOT_SUPPORTED }),
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const limit = effectiveLimit(q.limit, deps.paging);
      const reverse = q.reverse_order ?? false;
      const page = await service.list(deps.viewer(request), {
        tags: tagFilters(request, '8.2'),
        reverse,
        limit,
        after: pageKey(q.page),
      });
      setPagingHeaders(request, reply, deps.publicUrl, limit, page.next && encodeWebhookCursor(page.next));
      reply.header('X-Paging-Count', String(page.items.length));
      reply.header('X-Paging-Reverse-Order', String(reverse));
      return page.items.map(webhookGetDocument);
    },
  );

  app.post(
    '/service/webhooks',
    {
      schema: {
        operationId: 'POST_webhooks',
        summary: 'Register webhook details',
        description: `Register to receive event notifications as webhooks on a URL: every POST registers a new webhook (201 with its id). Its event bodies are TAMS 8.2's. Every filter and transformation of the specification is supported. \`status: disabled\` registers it without delivering. Webhook URLs resolving to anything but public unicast addresses are refused unless the server allows them (TAMS_WEBHOOK_ALLOW). With authentication on, registering needs the read scope as well as write, and the webhook delivers only while its owner's credential grants read.`,
        tags: ['Webhooks'],
        body: WebhookPostV8,
        response: {
          201: ok(WebhookGet, 'Success. The webhook has been registered.'),
          ...errors({ 400: BAD, 404: NOT_SUPPORTED }),
        },
      },
    },
    async (request, reply) => {
      const created = await service.create(request.body, deps.viewer(request));
      return reply.code(201).send(webhookGetDocument(created));
    },
  );

  app.get(
    '/service/webhooks/:webhookId',
    {
      schema: {
        operationId: 'GET_webhooks-webhookId',
        summary: 'Webhook details',
        description: `Get the details of a webhook (never its \`api_key_value\`). ${OWNERS}`,
        tags: ['Webhooks'],
        params: WebhookParams,
        response: { 200: ok(WebhookGet, 'Return the webhook details.'), ...errors({ 404: ID_404 }) },
      },
    },
    async (request) => webhookGetDocument(await service.get(request.params.webhookId, deps.viewer(request))),
  );

  app.put(
    '/service/webhooks/:webhookId',
    {
      schema: {
        operationId: 'PUT_webhooks',
        summary: 'Update webhook details',
        description: `Replace the configuration of an existing webhook: its URL, API key, events, filters, tags and status (\`disabled\` stops deliveries, \`created\` enables them again; a webhook in \`error\` cannot be disabled). \`api_key_value\` left out keeps the stored one while \`api_key_name\` stays; \`api_key_name\` left out removes both. The API version it was created through (that of its event bodies) never changes: \`include_object_timerange: true\` on a webhook created through 7.0, whose bodies have no object timeranges, is a 400. ${OWNERS}`,
        tags: ['Webhooks'],
        params: WebhookParams,
        body: WebhookPut,
        response: {
          201: ok(WebhookGet, 'Success. The webhook has been updated'),
          ...errors({
            400: BAD,
            403: 'Forbidden. You do not have permission to modify this resource.',
            404: ID_404,
          }),
        },
      },
    },
    async (request, reply) => {
      const updated = await service.replace(request.params.webhookId, request.body, deps.viewer(request));
      return reply.code(201).send(webhookGetDocument(updated));
    },
  );

  app.delete(
    '/service/webhooks/:webhookId',
    {
      schema: {
        operationId: 'DELETE_webhooks-webhookId',
        summary: 'Delete Webhook',
        description: `Deletes the webhook, whichever API version it was created through. ${OWNERS}`,
        tags: ['Webhooks'],
        params: WebhookParams,
        response: {
          204: noContent('No content. The webhook has been deleted.'),
          ...errors({ 403: 'Forbidden. You do not have permission to modify this webhook.', 404: ID_404 }),
        },
      },
    },
    async (request, reply) => {
      await service.remove(request.params.webhookId, deps.viewer(request));
      return reply.code(204).send();
    },
  );
}
