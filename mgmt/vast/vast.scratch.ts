/**
 * The field kit's connection to the cluster and its scratch schemas. Every engine and every raw
 * call goes over a transport built from the server's own TAMS_VAST_* settings (so a setting the
 * server would refuse, or a key the cluster refuses, fails here the same way) and through the
 * kit's recorder. Every schema the kit uses is named `tams_kit_<run>_<n>`, made on first use and
 * dropped with its tables at the end.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../../src/config.ts';
import type { Engine } from '../../src/db/db.types.ts';
import { VastTransport } from '../../src/db/engines/vast/transport/transport.client.ts';
import { vastTransportOptions } from '../../src/db/engines/vast/transport/transport.config.ts';
import { VastHttpError } from '../../src/db/engines/vast/transport/transport.errors.ts';
import type { VastRequest, VastResponse } from '../../src/db/engines/vast/transport/transport.types.ts';
import { NO_TXID, type VastTransportLike } from '../../src/db/engines/vast/vast.api.ts';
import { createVastEngine, type VastEngine } from '../../src/db/engines/vast/vast.engine.ts';
import { decodeListSchemasResponse } from '../../src/db/engines/vast/wire/wire.catalog.ts';
import type { Recorder } from './vast.record.ts';

/** A call as the probes word it: the path's names, not yet joined. */
export interface RawCall {
  readonly method: VastRequest['method'];
  /** [] for `/` (transactions); [bucket], [bucket, schema] or [bucket, schema, table]. */
  readonly names: readonly string[];
  readonly query: VastRequest['query'];
  readonly txid?: bigint;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  readonly idempotent?: boolean;
}

export class Scratch {
  /** `tams_kit_<6 hex>`: this run's schemas start with it. */
  readonly prefix = `tams_kit_${randomBytes(3).toString('hex')}`;
  readonly bucket: string;
  private readonly schemas = new Map<string, string>();
  private readonly engines: Engine[] = [];
  private readonly raw: VastTransportLike;

  constructor(
    private readonly config: Config,
    private readonly recorder: Recorder,
  ) {
    this.bucket = config.TAMS_VAST_BUCKET;
    this.raw = this.transport();
  }

  /** A transport of its own (an engine closes its transport when closed), recorded. */
  transport(): VastTransportLike {
    return this.recorder.wrap(new VastTransport(vastTransportOptions(this.config)));
  }

  /** The scratch schema standing for `name` (the same one each time for one name). */
  schema(name: string): string {
    let schema = this.schemas.get(name);
    if (schema === undefined) {
      schema = `${this.prefix}_${this.schemas.size + 1}`;
      this.schemas.set(name, schema);
    }
    return schema;
  }

  /**
   * An engine on the scratch schema for `name`, with the server's read-snapshot and keep-alive
   * settings.
   */
  engine(name: string): VastEngine {
    return this.open(this.schema(name));
  }

  /**
   * An engine for the readiness probe only: its schema is never made (nor named among this run's,
   * so a run that stops at the probe has nothing to clean up).
   */
  prober(): VastEngine {
    return this.open(`${this.prefix}_probe`);
  }

  private open(schema: string): VastEngine {
    const engine = createVastEngine({
      transport: this.transport(),
      bucket: this.bucket,
      schema,
      readSnapshotMs: this.config.TAMS_VAST_READ_SNAPSHOT_MS,
      keepAliveMs: this.config.TAMS_VAST_KEEP_ALIVE_MS,
    });
    this.engines.push(engine);
    return engine;
  }

  /** One call as the engine would send it (common `tabular-*` headers), errors as the transport throws them. */
  call(c: RawCall): Promise<VastResponse> {
    return this.raw.request({
      method: c.method,
      path: `/${c.names.join('/')}`,
      query: c.query,
      headers: {
        'tabular-txid': (c.txid ?? NO_TXID).toString(),
        'tabular-api-version-id': '1',
        'tabular-client-name': 'tabular-api',
        ...c.headers,
      },
      body: c.body,
      idempotent: c.idempotent,
    });
  }

  async begin(): Promise<bigint> {
    const res = await this.call({ method: 'POST', names: [], query: [['transaction']] });
    return BigInt(res.headers['tabular-txid'] ?? 'x');
  }

  async commit(txid: bigint): Promise<void> {
    await this.call({ method: 'PUT', names: [], query: [['transaction']], txid });
  }

  async rollback(txid: bigint): Promise<void> {
    await this.call({ method: 'DELETE', names: [], query: [['transaction']], txid, idempotent: true });
  }

  /** Runs `fn` in a transaction of its own: committed, or rolled back when it throws. */
  async inTx<T>(fn: (txid: bigint) => Promise<T>): Promise<T> {
    const txid = await this.begin();
    let result: T;
    try {
      result = await fn(txid);
    } catch (e) {
      await this.rollback(txid).catch(() => undefined);
      throw e;
    }
    await this.commit(txid);
    return result;
  }

  /**
   * Closes the engines and drops every schema whose name starts with this run's prefix, with its
   * tables (the probes make some by hand). Returns the schemas that could not be dropped; throws
   * when the cluster cannot list them, unless no schema was ever named (a run stopped by its
   * settings: the listing would fail for the same reason, and there is nothing to drop).
   */
  async cleanup(): Promise<string[]> {
    await Promise.allSettled(this.engines.splice(0).map((e) => e.close()));
    const left: string[] = [];
    try {
      if (this.schemas.size === 0) return left;
      for (const schema of await this.ownSchemas()) {
        try {
          await this.dropSchema(schema);
        } catch {
          left.push(schema);
        }
      }
      return left;
    } finally {
      this.raw.close();
    }
  }

  /** This run's schemas as the cluster lists them (by prefix). */
  async ownSchemas(): Promise<string[]> {
    return this.inTx(async (txid) => {
      const res = await this.call({
        method: 'GET',
        names: [this.bucket],
        query: [['schema']],
        txid,
        idempotent: true,
        headers: {
          'tabular-max-keys': '1000',
          'tabular-next-key': '0',
          'tabular-name-prefix': this.prefix,
          'tabular-list-count-only': 'False',
        },
      });
      return decodeListSchemasResponse(res.body)
        .schemas.map((s) => s.name)
        .filter((name) => name.startsWith(this.prefix));
    });
  }

  private async dropSchema(schema: string): Promise<void> {
    const engine = createVastEngine({ transport: this.transport(), bucket: this.bucket, schema });
    try {
      for (const table of await engine.listTables()) await engine.dropTable(table);
    } finally {
      await engine.close();
    }
    await this.inTx((txid) =>
      this.call({ method: 'DELETE', names: [this.bucket, schema], query: [['schema']], txid }),
    ).catch((e: unknown) => {
      if (!(e instanceof VastHttpError && e.status === 404)) throw e;
    });
  }
}
