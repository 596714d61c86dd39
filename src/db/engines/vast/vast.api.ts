import type { VastRequest, VastResponse, VastStreamResponse } from './transport/transport.types.ts';
import { toDbError } from './vast.errors.ts';

/** What the engine needs of the transport (VastTransport; tests may put a recorder in front). */
export interface VastTransportLike {
  request(req: VastRequest): Promise<VastResponse>;
  stream(req: VastRequest): Promise<VastStreamResponse>;
  close(): void;
}

/** A request as the engine words it: the txid and the table decide path and common headers. */
export interface ApiCall {
  readonly method: VastRequest['method'];
  /** undefined: the transaction endpoint `/`; '' the schema itself; else a table. */
  readonly table?: string;
  /** The bucket itself (`/{bucket}`, for listing schemas); `table` is then ignored. */
  readonly bucketLevel?: boolean;
  readonly query: VastRequest['query'];
  readonly txid: bigint;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: VastRequest['body'];
  readonly idempotent?: boolean;
  /** Ends the call (its retries included) when it aborts. */
  readonly signal?: AbortSignal;
  /**
   * Sent as given, without the common `tabular-*` headers, and its failures thrown as the
   * transport threw them (VastHttpError keeps the answer's headers): the version probe, as
   * vastdb 2.1 sends it, reads the `Server` header of a refusal too.
   */
  readonly plain?: boolean;
  /** VastRequest['tries']. */
  readonly tries?: VastRequest['tries'];
}

/** The transaction id sent when there is none (the SDK's default). */
export const NO_TXID = 0n;

/**
 * The tabular API as the engine calls it: builds paths and the common `tabular-*` headers the
 * SDK sends on every call, counts round trips (what the benchmarks and the tests measure), and
 * turns transport and wire failures into the engine's errors (vast.errors.ts).
 */
export class VastApi {
  /** Requests sent (each a round trip; a paged select counts one per page). */
  roundTrips = 0;

  constructor(
    private readonly transport: VastTransportLike,
    readonly bucket: string,
    readonly schema: string,
  ) {}

  async request(call: ApiCall): Promise<VastResponse> {
    this.roundTrips++;
    try {
      return await this.transport.request(this.toRequest(call));
    } catch (e) {
      throw call.plain ? e : toDbError(e, call.table);
    }
  }

  async stream(call: ApiCall): Promise<VastStreamResponse> {
    this.roundTrips++;
    try {
      return await this.transport.stream(this.toRequest(call));
    } catch (e) {
      throw toDbError(e, call.table);
    }
  }

  /** The engine's error for a failure met while reading an answer (toDbError). */
  mapError(e: unknown, table: string | undefined): unknown {
    return toDbError(e, table);
  }

  close(): void {
    this.transport.close();
  }

  private toRequest(call: ApiCall): VastRequest {
    const path = call.bucketLevel
      ? `/${this.bucket}`
      : call.table === undefined
        ? '/'
        : call.table === ''
          ? `/${this.bucket}/${this.schema}`
          : `/${this.bucket}/${this.schema}/${call.table}`;
    return {
      method: call.method,
      path,
      query: call.query,
      headers: call.plain
        ? { ...call.headers }
        : {
            'tabular-txid': call.txid.toString(),
            'tabular-api-version-id': '1',
            'tabular-client-name': 'tabular-api',
            ...call.headers,
          },
      body: call.body,
      idempotent: call.idempotent,
      signal: call.signal,
      tries: call.tries,
    };
  }
}
