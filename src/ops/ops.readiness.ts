import type { MediaStore } from '../media/media.types.ts';

/** What readiness looks at in the store. */
export interface ReadinessStore {
  ping(): Promise<void>;
}

export interface ReadinessCheck {
  /** The part checked: `store`, `database "<label>"`, `media backend "<label>" (<id>)`. */
  name: string;
  ok: boolean;
  /** Why it failed (messages name endpoints and buckets, never credentials). */
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: ReadinessCheck[];
}

export interface ReadinessDeps {
  store: ReadinessStore;
  /** A shared engine's database server (Engine.server): checked apart from the store's query. */
  database?: { readonly label: string; probe(signal: AbortSignal): Promise<void> };
  /** The embedded engine's disk (Engine.storage): fails while writes are refused (full, read-only). */
  storage?: { readonly label: string; check(): Promise<void> };
  media: readonly MediaStore[];
  /** A check that has not answered by then fails (a hung backend must not hang the probe). */
  timeoutMs: number;
}

class TimeoutError extends Error {}

async function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`no answer within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function run(name: string, work: () => Promise<void>, timeoutMs: number): Promise<ReadinessCheck> {
  try {
    await withTimeout(work(), timeoutMs);
    return { name, ok: true };
  } catch (error) {
    return { name, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Readiness (`/ready`): the store answers a cheap query, a shared engine's database server
 * answers its probe (named apart, so an operator sees which backend is down), the embedded
 * engine's disk takes writes (a full one makes writes 507 while reads go on), and every media
 * backend passes its check() (reachable, bucket present, root writable). The embedded engine's
 * segment indexes are not waited for: a Flow whose index is not loaded yet is read from the
 * database. A shutdown makes it unready at once. Concurrent probes share one run of the checks.
 */
export class Readiness {
  private running: Promise<ReadinessReport> | undefined;
  private stopping = false;

  constructor(private readonly deps: ReadinessDeps) {}

  /** Called when a shutdown begins: load balancers stop sending new work. */
  shuttingDown(): void {
    this.stopping = true;
  }

  check(): Promise<ReadinessReport> {
    this.running ??= this.runChecks().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runChecks(): Promise<ReadinessReport> {
    const { store, media, database, storage, timeoutMs } = this.deps;
    const checks = await Promise.all([
      run('store', () => store.ping(), timeoutMs),
      ...(database
        ? [
            run(
              `database ${JSON.stringify(database.label)}`,
              () => database.probe(AbortSignal.timeout(timeoutMs)),
              timeoutMs,
            ),
          ]
        : []),
      ...(storage ? [run(`storage ${JSON.stringify(storage.label)}`, () => storage.check(), timeoutMs)] : []),
      ...media.map((backend) =>
        run(
          `media backend ${JSON.stringify(backend.descriptor.label ?? backend.descriptor.id)} (${backend.descriptor.id})`,
          () => backend.check(),
          timeoutMs,
        ),
      ),
    ]);
    if (this.stopping) checks.push({ name: 'server', ok: false, error: 'shutting down' });
    return { ready: checks.every((c) => c.ok), checks };
  }
}

/** The 503 summary: every failing part, named. */
export function notReadySummary(report: ReadinessReport): string {
  const failed = report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.error ?? 'failed'}`);
  return `Not ready: ${failed.join('; ')}`;
}
