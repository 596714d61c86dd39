import type { FastifyRequest } from 'fastify';
import { CELL_NOTE } from '../common/cells.ts';
import { errors, noContent, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { WebhookPost, WebhooksList } from './webhooks.schemas.ts';
import type { Viewer, WebhooksService } from './webhooks.service.ts';

export interface WebhooksRoutesDeps {
  webhooks: WebhooksService;
  /** Who the caller is, for listings and ownership (authentication decides who administers). */
  viewer: (request: FastifyRequest) => Viewer;
}

const NOT_SUPPORTED = 'Webhooks are not supported by this API implementation';

export async function webhooksRoutes(app: App, deps: WebhooksRoutesDeps): Promise<void> {
  app.get(
    '/service/webhooks',
    {
      schema: {
        operationId: 'GET_webhooks',
        summary: 'List Webhook URLs',
        description:
          "Get the list of registered webhook URLs: the caller's own, or all of them for administrators. The `api_key_value` is omitted. With authentication on, `owner` and `delivery_suspended` (tams-server extensions) say whose each is and why it receives nothing.",
        tags: ['Webhooks'],
        response: {
          200: ok(
            WebhooksList,
            'Return the list of known webhook URLs. Note that the `api_key_value` will be omitted.',
          ),
          ...errors({ 404: NOT_SUPPORTED }),
        },
      },
    },
    async (request) => deps.webhooks.list(deps.viewer(request)),
  );

  app.post(
    '/service/webhooks',
    {
      schema: {
        operationId: 'POST_webhooks',
        summary: 'Register Webhook URL',
        description: `Register to receive event notifications as webhooks on a specified URL. POSTing the same URL, API key name and value again updates the registration; an empty list of \`events\` removes it. Every event filter and transformation of the specification is supported. Webhook URLs resolving to anything but public unicast addresses (private, loopback, link-local, reserved, or IPv6 forms of those) are refused unless the server allows them (TAMS_WEBHOOK_ALLOW). With authentication on, registering needs the read scope as well as write; a registration belongs to its caller, whose POSTs match only their own (administrators' match everyone's), and it delivers only while its owner's credential grants read. ${CELL_NOTE}`,
        tags: ['Webhooks'],
        body: WebhookPost,
        response: {
          201: noContent('Success. The webhook has been registered or updated'),
          204: noContent('Success. The webhook has been removed'),
          ...errors({
            400: 'Bad request. Invalid parameters or unsupported event filtering or transformation.',
            404: NOT_SUPPORTED,
          }),
        },
      },
    },
    async (request, reply) => {
      const outcome = await deps.webhooks.register(request.body, deps.viewer(request));
      return reply.code(outcome === 'registered' ? 201 : 204).send();
    },
  );
}
