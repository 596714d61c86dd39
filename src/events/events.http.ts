import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { UrlGuard } from '../common/url.guard.ts';

/**
 * POSTs an event body: JSON, the webhook's API key header, a deadline for the whole exchange, and
 * connections only to addresses the guard accepts (checked on the resolved addresses, so a
 * changed DNS answer cannot turn a delivery inward). Resolves on a 2xx; rejects otherwise.
 */
export function postEvent(
  url: string,
  body: string,
  headers: Record<string, string>,
  guard: UrlGuard,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
      guard.checkHost(target);
    } catch (error) {
      reject(error);
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
        lookup: guard.lookup,
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new Error(`the receiver answered ${status}`));
        });
        res.on('error', reject);
      },
    );
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(deadline));
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
