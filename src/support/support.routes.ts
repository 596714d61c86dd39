import { Type } from 'typebox';
import type { AuthRouteConfig } from '../auth/auth.hook.ts';
import { sendError } from '../http/errors.ts';
import { errors } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import type { SupportBundles } from './support.service.ts';

/** Seconds a client is told to wait while another bundle is made. */
const BUSY_RETRY_SECONDS = 30;

/**
 * `GET /support/bundle`: the support bundle of this server as one .tar.gz (admin scope; at the
 * root mount only: it is the whole server's, not an API version's). A tams-server extension.
 */
export async function supportRoutes(app: App, deps: { support: SupportBundles }): Promise<void> {
  app.get(
    '/support/bundle',
    {
      // A HEAD would make a whole bundle to send nothing of it.
      exposeHeadRoute: false,
      schema: {
        operationId: 'GET_support-bundle',
        summary: 'Support Bundle',
        description:
          "What a support engineer needs, as one .tar.gz made now: versions, the effective configuration with every secret redacted, `db check` and `verify` summaries (verify bounded in time), table rows and sizes, readiness with its reasons, a metrics snapshot, followers' and leases' states, webhooks (without API key values), and the last log lines this process kept (TAMS_SUPPORT_LOG_LINES), redacted; a README in it says what each file is. A part that fails is written as an error note; the bundle is made anyway. One at a time: 503 while another is being made. Admin scope. `tams-mgmt support-bundle --server <url>` fetches it. A tams-server extension (beyond TAMS 7.0).",
        tags: ['Support'],
        response: {
          200: {
            description: 'The bundle.',
            headers: {
              'Content-Disposition': Type.String({
                description: 'attachment; filename="tams-support-<time>.tar.gz"',
              }),
            },
            content: { 'application/gzip': { schema: Type.String({ format: 'binary' }) } },
          },
          ...errors({ 503: 'Another support bundle is being made: try again after `Retry-After` seconds.' }),
        },
      },
      config: { tamsAuth: 'admin' } satisfies AuthRouteConfig,
    },
    async (request, reply) => {
      const bundle = await deps.support.take();
      if (bundle === undefined) {
        reply.header('retry-after', String(BUSY_RETRY_SECONDS));
        return sendError(request, reply, 503, 'ServiceUnavailable', 'Another support bundle is being made');
      }
      const failed = bundle.parts.filter((p) => p.error !== undefined).map((p) => p.file);
      request.log.info({ failed }, 'support bundle made');
      return (
        reply
          .header('content-type', 'application/gzip')
          .header('content-disposition', `attachment; filename="${bundle.folder}.tar.gz"`)
          // The schema documents the body as a binary string; the bytes go out as they are.
          .send(bundle.archive as unknown as string)
      );
    },
  );
}
