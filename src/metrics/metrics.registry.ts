import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { packageVersion } from '../common/package-info.ts';
import type { GaugeReader, SegmentsMetrics, StoreTimings, TransactionOutcome } from './metrics.types.ts';

/** Request latency buckets (seconds): sub-millisecond cached reads up to slow bulk registrations. */
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Store buckets: single-row statements to multi-second bulk transactions and scans. */
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];

let processRegistry: Registry | undefined;

/**
 * Node process metrics (CPU, memory, event loop lag, GC) belong to the process, not to one app:
 * registered once, however many runtimes a process builds (tests build many), so their event
 * loop monitors are not multiplied.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * Hands `read`'s value to `set` at scrape time. A reader that fails (the store closing during a
 * scrape) or answers undefined keeps the last value rather than failing the whole exposition;
 * the next scrape tries again. `set` runs inside the guard too, so a value the metric refuses
 * (a counter going down) does not fail the exposition either.
 */
async function scrape(read: GaugeReader, set: (value: number) => void): Promise<void> {
  try {
    const value = await read();
    if (value !== undefined) set(value);
  } catch {
    // The last value stands.
  }
}

/**
 * The Prometheus metrics of one runtime. Counters and histograms are recorded as things happen;
 * gauges of stored state (queues, backlogs, index sizes) are read at scrape time through readers
 * the composition root binds with `gauge()`.
 */
export class ServerMetrics implements SegmentsMetrics, StoreTimings {
  readonly registry = new Registry();
  private readonly requestDuration: Histogram<'route' | 'method' | 'status_class'>;
  private readonly errors: Counter<'route' | 'method' | 'status'>;
  private readonly inFlight: Gauge;
  private readonly registered: Counter;
  private readonly txDuration: Histogram<'outcome'>;
  private readonly txWait: Histogram;
  private readonly conflicts: Counter;
  private readonly opDuration: Histogram<'operation' | 'table'>;

  constructor() {
    const registers = [this.registry];
    this.requestDuration = new Histogram({
      name: 'tams_http_request_duration_seconds',
      help: 'HTTP request latency by route pattern, method and status class; its _count is the request rate',
      labelNames: ['route', 'method', 'status_class'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.errors = new Counter({
      name: 'tams_http_errors_total',
      help: 'HTTP responses with a 4xx or 5xx status, by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'tams_http_requests_in_flight',
      help: 'HTTP requests being handled',
      registers,
    });
    this.registered = new Counter({
      name: 'tams_segments_registered_total',
      help: 'Flow segments registered (POST segments, failed segments excluded)',
      registers,
    });
    this.txDuration = new Histogram({
      name: 'tams_store_transaction_duration_seconds',
      help: 'Store transactions from BEGIN to COMMIT or ROLLBACK',
      labelNames: ['outcome'],
      buckets: STORE_BUCKETS,
      registers,
    });
    this.txWait = new Histogram({
      name: 'tams_store_transaction_wait_seconds',
      help: 'Time a store transaction waited for the writer before it began',
      buckets: STORE_BUCKETS,
      registers,
    });
    this.conflicts = new Counter({
      name: 'tams_store_transaction_conflicts_total',
      help: 'Store transactions refused because another transaction (another replica) changed the same rows first; each runs again',
      registers,
    });
    // The usual Prometheus form of a build's identity: a gauge of 1 whose labels say the build,
    // so a query can join it to any series (and a dashboard shows what each replica runs).
    new Gauge({
      name: 'tams_build_info',
      help: 'The release of tams-server this process runs (value 1), with the Node.js version',
      labelNames: ['version', 'node_version'],
      registers,
    }).set({ version: packageVersion(), node_version: process.version }, 1);
    this.opDuration = new Histogram({
      name: 'tams_store_operation_duration_seconds',
      help: 'Table manager calls (select, count, insert, update, delete, updateEach, scan) by table',
      labelNames: ['operation', 'table'],
      buckets: STORE_BUCKETS,
      registers,
    });
  }

  requestStarted(): void {
    this.inFlight.inc();
  }

  requestEnded(): void {
    this.inFlight.dec();
  }

  /** `route` is the route pattern (never the raw URL: ids would make unbounded label values). */
  requestFinished(route: string, method: string, status: number, seconds: number): void {
    this.requestDuration.observe({ route, method, status_class: `${Math.floor(status / 100)}xx` }, seconds);
    if (status >= 400) this.errors.inc({ route, method, status: String(status) });
  }

  segmentsRegistered(count: number): void {
    if (count > 0) this.registered.inc(count);
  }

  transaction(waitSeconds: number, runSeconds: number, outcome: TransactionOutcome): void {
    this.txWait.observe(waitSeconds);
    this.txDuration.observe({ outcome }, runSeconds);
  }

  conflict(): void {
    this.conflicts.inc();
  }

  operation(operation: string, table: string, seconds: number): void {
    this.opDuration.observe({ operation, table }, seconds);
  }

  /**
   * A gauge read at scrape time. A reader that fails (the store closing during a scrape) or
   * answers undefined keeps the last value rather than failing the whole exposition.
   */
  gauge(name: string, help: string, read: GaugeReader): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        return scrape(read, (value) => this.set(value));
      },
    });
  }

  /**
   * A counter kept elsewhere (a total that only grows, such as evictions), read at scrape time;
   * exposed with the counter type so that rate() applies. Failures keep the last value, as gauges.
   */
  counterOf(name: string, help: string, read: GaugeReader): void {
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        return scrape(read, (value) => {
          this.reset();
          this.inc(value);
        });
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text: this runtime's metrics, then the process's. */
  async exposition(): Promise<string> {
    const own = await this.registry.metrics();
    const proc = await processMetrics().metrics();
    return `${own}\n${proc}`;
  }
}
