import { VastTransport } from '../../../../../src/db/engines/vast/transport/transport.client.ts';
import type {
  VastRequest,
  VastResponse,
  VastStreamResponse,
} from '../../../../../src/db/engines/vast/transport/transport.types.ts';
import type { VastTransportLike } from '../../../../../src/db/engines/vast/vast.api.ts';
import {
  createVastEngine,
  type VastEngine,
  type VastEngineOptions,
} from '../../../../../src/db/engines/vast/vast.engine.ts';

/** Where a fake (or real) VAST server listens and what it accepts. */
export interface VastTarget {
  readonly url: string;
  readonly bucket: string;
  readonly keys: { readonly access: string; readonly secret: string };
}

/** A request as the engine handed it to the transport (headers and body as sent). */
export interface SentRequest {
  readonly method: string;
  readonly path: string;
  readonly query: readonly (readonly string[])[];
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/**
 * The real transport with a log of what the engine sent (for comparisons with the SDK's
 * recordings): requests still go over HTTP to the server and its answers come back unchanged.
 */
export class RecordingTransport implements VastTransportLike {
  readonly sent: SentRequest[] = [];

  constructor(private readonly inner: VastTransportLike) {}

  request(req: VastRequest): Promise<VastResponse> {
    this.log(req);
    return this.inner.request(req);
  }

  stream(req: VastRequest): Promise<VastStreamResponse> {
    this.log(req);
    return this.inner.stream(req);
  }

  close(): void {
    this.inner.close();
  }

  private log(req: VastRequest): void {
    const parts = req.body === undefined ? [] : req.body instanceof Uint8Array ? [req.body] : req.body;
    this.sent.push({
      method: req.method,
      path: req.path,
      query: (req.query ?? []).map((q) => [...q]),
      headers: { ...req.headers },
      body: Buffer.concat(parts),
    });
  }
}

/** The TAMS_* settings that put a server (loadConfig) on `target`, in `schema`. */
export function vastSettings(target: VastTarget, schema: string): Record<string, string> {
  return {
    TAMS_DB: 'vast',
    TAMS_VAST_ENDPOINTS: target.url,
    TAMS_VAST_ACCESS_KEY: target.keys.access,
    TAMS_VAST_SECRET_KEY: target.keys.secret,
    TAMS_VAST_BUCKET: target.bucket,
    TAMS_VAST_SCHEMA: schema,
  };
}

/** A transport to `target` with short timeouts and no waits between retries (tests). */
export function testTransport(target: VastTarget): VastTransport {
  return new VastTransport({
    endpoints: [target.url],
    accessKey: target.keys.access,
    secretKey: target.keys.secret,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
}

/** An engine on `target` in the given schema. */
export function testEngine(
  target: VastTarget,
  schema: string,
  options: Partial<VastEngineOptions> = {},
): VastEngine {
  return createVastEngine({ transport: testTransport(target), bucket: target.bucket, schema, ...options });
}
