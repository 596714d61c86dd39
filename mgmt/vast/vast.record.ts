/**
 * What the field kit keeps of its traffic with the cluster: for each operation one answer (the
 * largest under CAP: a listing with names, a QueryData answer with rows) and how long each call
 * took; for each error status one body, as it came. Answers are taken in front of the engine's
 * transport; error bodies, which the transport reads into a typed error and drops, are taken
 * from node:http itself (its diagnostics channel) for requests to the configured endpoints.
 */
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type {
  VastQueryParam,
  VastRequest,
  VastResponse,
  VastStreamResponse,
} from '../../src/db/engines/vast/transport/transport.types.ts';
import type { VastTransportLike } from '../../src/db/engines/vast/vast.api.ts';
import { decodeQueryRequest } from '../../src/db/engines/vast/wire/wire.query.ts';

/** Larger answers are timed but not kept (a golden file stays readable). */
const CAP = 64 * 1024;
/** Bytes of an answer that count towards keeping it rather than another (rank). */
const RANKED_BYTES = 4096;
/** Error bodies kept per status (one per VAST code: a 409 may say "exists" or "conflict"). */
const PER_STATUS = 4;

export interface Exchange {
  readonly operation: string;
  readonly method: string;
  /** Unencoded path, as the engine names it. */
  readonly path: string;
  readonly query: readonly VastQueryParam[];
  /** The `tabular-*` headers sent (the signature and its date are not kept). */
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly requestBody: Uint8Array;
  readonly status: number;
  readonly responseHeaders: Readonly<Record<string, string>>;
  readonly responseBody: Uint8Array;
}

/** The operation a request is, named as test/vast/golden names the SDK's. */
export function operationOf(method: string, path: string, names: readonly string[], txid?: string): string {
  const depth = path.split('/').filter((p) => p !== '').length;
  const command = ['transaction', 'schema', 'table', 'columns', 'column', 'stats', 'rows', 'data'].find((c) =>
    names.includes(c),
  );
  const verb: Record<string, string> = { POST: 'create', DELETE: 'drop', GET: 'list', PUT: 'alter' };
  switch (command) {
    case 'transaction':
      if (method === 'GET')
        return txid === undefined || txid === '0' ? 'version_probe' : 'keepalive_transaction';
      return `${{ POST: 'begin', PUT: 'commit', DELETE: 'rollback' }[method] ?? method.toLowerCase()}_transaction`;
    case 'schema':
      return method === 'GET' ? 'list_schemas' : `${verb[method]}_schema`;
    case 'table':
      return method === 'GET' ? 'list_tables' : `${verb[method]}_table`;
    case 'column':
    case 'columns':
      return method === 'GET' ? 'list_columns' : method === 'POST' ? 'add_column' : `${verb[method]}_column`;
    case 'stats':
      return 'table_stats';
    case 'rows':
      return `${{ POST: 'insert', PUT: 'update', DELETE: 'delete' }[method] ?? method.toLowerCase()}_rows`;
    case 'data':
      return method === 'GET' ? 'query_data' : 'import_data';
    default:
      if (method === 'HEAD' && depth === 1) return 'head_bucket';
      return depth === 0 ? `${method.toLowerCase()}_root` : `${method.toLowerCase()}_other`;
  }
}

const join = (body: VastRequest['body']): Uint8Array =>
  body === undefined ? new Uint8Array(0) : body instanceof Uint8Array ? body : Buffer.concat(body);

const tabular = (headers: Readonly<Record<string, string>> | undefined) =>
  Object.fromEntries(Object.entries(headers ?? {}).filter(([k]) => k.startsWith('tabular-')));

/**
 * Which of two answers of one operation is kept: for QueryData the one with the most columns
 * projected (the widest reading), otherwise, and on a tie, the larger body up to a few KiB (a
 * listing with names, an insert's row ids; not the largest of them, which would only be longer).
 */
function rank(x: Pick<Exchange, 'operation' | 'requestBody' | 'responseBody'>): number {
  let columns = 0;
  if (x.operation === 'query_data') {
    try {
      columns = decodeQueryRequest(x.requestBody).projection.length;
    } catch {
      columns = 0;
    }
  }
  const bytes = x.responseBody.byteLength;
  return columns * CAP + (bytes <= RANKED_BYTES ? bytes : RANKED_BYTES - bytes / CAP);
}

export class Recorder {
  /** One answer per operation. */
  readonly answers = new Map<string, Exchange>();
  /** Error answers by `<status>-<VAST code>`: the first of each, at most PER_STATUS a status. */
  readonly errors = new Map<string, Exchange>();
  /** Milliseconds of each call, per operation (failed calls included). */
  readonly timings = new Map<string, number[]>();
  private unsubscribe: (() => void) | undefined;

  /** A transport that keeps answers and timings of the calls going through `inner`. */
  wrap(inner: VastTransportLike): VastTransportLike {
    return {
      request: async (req) => {
        const started = performance.now();
        try {
          const res = await inner.request(req);
          this.keep(req, res.status, res.headers, res.body);
          return res;
        } finally {
          this.time(req, started);
        }
      },
      stream: async (req) => {
        const started = performance.now();
        let res: VastStreamResponse;
        try {
          res = await inner.stream(req);
        } catch (e) {
          this.time(req, started);
          throw e;
        }
        return { ...res, body: this.tee(req, res, started) };
      },
      close: () => inner.close(),
    };
  }

  private async *tee(req: VastRequest, res: VastStreamResponse, started: number): AsyncGenerator<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let size = 0;
    let complete = false;
    try {
      for await (const chunk of res.body) {
        size += chunk.byteLength;
        if (size <= CAP) chunks.push(chunk);
        yield chunk;
      }
      complete = true;
    } finally {
      this.time(req, started);
      if (complete && size <= CAP) this.keep(req, res.status, res.headers, Buffer.concat(chunks));
    }
  }

  private time(req: VastRequest, started: number): void {
    const op = operationOf(
      req.method,
      req.path,
      (req.query ?? []).map((q) => q[0]),
      req.headers?.['tabular-txid'],
    );
    const list = this.timings.get(op) ?? [];
    list.push(performance.now() - started);
    this.timings.set(op, list);
  }

  private keep(req: VastRequest, status: number, headers: VastResponse['headers'], body: Uint8Array): void {
    if (body.byteLength > CAP) return;
    const query = req.query ?? [];
    const operation = operationOf(
      req.method,
      req.path,
      query.map((q) => q[0]),
      req.headers?.['tabular-txid'],
    );
    const kept = this.answers.get(operation);
    if (
      kept !== undefined &&
      rank(kept) >= rank({ operation, requestBody: join(req.body), responseBody: body })
    )
      return;
    this.answers.set(operation, {
      operation,
      method: req.method,
      path: req.path,
      query,
      requestHeaders: tabular(req.headers),
      requestBody: join(req.body),
      status,
      responseHeaders: { ...headers },
      responseBody: body,
    });
  }

  /**
   * Keeps the body of the first answer of each status other than 200 from `hosts` (the
   * endpoints' host names), read beside the transport's own reading of it.
   */
  listen(hosts: readonly string[]): void {
    const wanted = new Set(hosts);
    const onFinish = (message: unknown) => {
      const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
      const status = response.statusCode ?? 0;
      const ofStatus = [...this.errors.keys()].filter((k) => k.startsWith(`${status}-`)).length;
      if (status === 200 || ofStatus >= PER_STATUS) return;
      if (!wanted.has(request.host)) return;
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size <= CAP) chunks.push(chunk);
      });
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        const code =
          /<Code>([^<]*)<\/Code>/.exec(body.toString('utf8'))?.[1]?.replace(/[^\w.-]/g, '') || 'no-code';
        const key = `${status}-${code}`;
        if (this.errors.has(key)) return;
        const [rawPath = '', rawQuery = ''] = request.path.split('?');
        const path = rawPath
          .split('/')
          .map((p) => decodeURIComponent(p))
          .join('/');
        const query = rawQuery
          .split('&')
          .filter((p) => p !== '')
          .map((p): VastQueryParam => {
            const [name = '', value] = p.split('=');
            return value === undefined
              ? [decodeURIComponent(name)]
              : [decodeURIComponent(name), decodeURIComponent(value)];
          });
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(response.headers)) {
          if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        }
        this.errors.set(key, {
          operation: operationOf(
            request.method,
            path,
            query.map((q) => q[0]),
          ),
          method: request.method,
          path,
          query,
          requestHeaders: {},
          requestBody: new Uint8Array(0),
          status,
          responseHeaders: headers,
          responseBody: body,
        });
      });
    };
    diagnostics.subscribe('http.client.response.finish', onFinish);
    this.unsubscribe = () => diagnostics.unsubscribe('http.client.response.finish', onFinish);
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}
