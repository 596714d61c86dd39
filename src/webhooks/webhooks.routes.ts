import type { FastifyRequest } from 'fastify';
import { actorOf } from '../http/principal.ts';
import { errors, noContent, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { WebhookPost, WebhooksList } from './webhooks.schemas.ts';
import type { Viewer, WebhooksService } from './webhooks.service.ts';

export interface WebhooksRoutesDeps {
  webhooks: WebhooksService;
  /** Who the caller is for listings (authentication decides who administers). */
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
          "Get the list of registered webhook URLs: the caller's own, or all of them for administrators. The `api_key_value` is omitted.",
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
        description:
          'Register to receive event notifications as webhooks on a specified URL. POSTing the same URL, API key name and value again updates the registration; an empty list of `events` removes it. Every event filter and transformation of the specification is supported. Webhook URLs resolving to private, loopback or link-local addresses are refused unless the server allows them (TAMS_WEBHOOK_ALLOW).',
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
      const outcome = await deps.webhooks.register(request.body, actorOf(request));
      return reply.code(outcome === 'registered' ? 201 : 204).send();
    },
  );
}
