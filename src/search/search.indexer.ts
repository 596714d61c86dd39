import type { JsonValue } from '../db/db.types.ts';
import { decodeFloats } from '../store/search/search.codec.ts';
import type { SearchDoc } from '../store/search/search.docs.repo.ts';
import type { TamsStore } from '../store/store.ts';
import type { DocDraft } from './search.extract.ts';
import type { IndexerDeps, Progress } from './search.index.types.ts';
import { CoarseQuantizer, vectorRows } from './search.ivf.ts';
import {
  dueForTraining,
  mergeCandidates,
  mergeParts,
  packCluster,
  packDue,
  retrain,
} from './search.maintain.ts';
import { PartBuilder } from './search.part.ts';
import { IndexPlan, planEvents, planJob } from './search.plan.ts';
import { RebuildScan } from './search.rebuild.ts';
import { IndexState } from './search.state.ts';

/** Events and transcript jobs taken per batch. */
const EVENT_BATCH = 500;
const JOB_BATCH = 20;
/** Documents a batch adds at most, from transcript jobs (events are taken whole). */
const BATCH_DOCS = 2000;
const DEFAULT_LEASE_MS = 60_000;

/**
 * Follows the store through the event outbox and keeps the search index in step: each batch of
 * events (and of transcript jobs) becomes, in one transaction with the cursor past them, the
 * documents removed and added, a new part of the inverted index and the new documents' vectors.
 * A restart, or another replica taking the lease over, goes on from the saved cursor; a store
 * without one (new, or emptied by `tams-mgmt search reindex`) is first indexed from its tables.
 */
export class SearchIndexer {
  private quantizer = new CoarseQuantizer([]);
  private quantizerVersion: JsonValue | undefined = undefined;
  private resumed = false;
  private held = false;
  private upkeepTurn = false;

  constructor(private readonly deps: IndexerDeps) {}

  private get leaseMs(): number {
    return this.deps.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /** One batch; true when there may be more to do at once. */
  async step(): Promise<boolean> {
    const { store, clock, owner } = this.deps;
    if (!this.resumed) {
      if (this.deps.exclusive) await store.leases.freeAll(['search-index']);
      this.resumed = true;
    }
    const holder = await store.leases.holder('search-index', clock.now());
    if (holder !== undefined && holder.owner !== owner) {
      this.held = false;
      return false;
    }
    // Upkeep takes turns with batches while work keeps coming (a long ingest, a build from the
    // tables): parts are merged, the quantizer trained and vectors packed as the index grows,
    // never left to pile up until the indexer is idle.
    if (this.upkeepTurn) {
      this.upkeepTurn = false;
      if (await this.maintain()) return true;
    }
    const state = await IndexState.read(store);
    if (state.cursor === undefined) {
      this.upkeepTurn = true;
      return new RebuildScan(this.deps, (...args) => this.commit(...args)).step(state);
    }
    const [jobs, events] = await Promise.all([
      store.search.transcripts.jobs(JOB_BATCH),
      store.events.settled().then((upTo) => store.events.after(state.cursor ?? 0n, EVENT_BATCH, upTo)),
    ]);
    if (jobs.length === 0 && events.length === 0) {
      if (await this.maintain()) return true;
      if (this.held) await this.release();
      return false;
    }
    this.upkeepTurn = true;
    const plan = new IndexPlan();
    // Jobs are taken until the batch holds BATCH_DOCS documents: a transcript may have thousands
    // of cues, and a batch's embeddings are computed before its transaction, within its lease.
    const taken: string[] = [];
    for (const job of jobs) {
      if (plan.additions.size >= BATCH_DOCS) break;
      await planJob(store, job, plan);
      taken.push(job.id);
    }
    // Events wait for the next batch when jobs filled this one (they are applied in order anyway).
    const applied = plan.additions.size >= BATCH_DOCS ? [] : events;
    await planEvents(this.deps, applied, plan);
    const cursor = applied.at(-1)?.seq ?? state.cursor;
    const done = await this.commit(plan, state, { cursor, jobs: taken });
    if (done !== undefined) {
      this.deps.onBatch?.({
        events: applied.length,
        jobs: taken.length,
        ...done,
        failures: plan.failures,
        cursor,
      });
    }
    return applied.length === EVENT_BATCH || taken.length < jobs.length || jobs.length === JOB_BATCH;
  }

  /**
   * Background upkeep while there is nothing to apply: merges small parts, trains the vector
   * quantizer as the collection grows, packs clusters spread over many rows. One task per step,
   * each in a transaction holding the lease; true when it did one.
   */
  private async maintain(): Promise<boolean> {
    const { store, clock, owner, embedder } = this.deps;
    const merge = mergeCandidates(await store.search.index.parts());
    const state = await IndexState.read(store);
    let task: ((tx: TamsStore, state: IndexState) => Promise<unknown>) | undefined;
    if (merge !== undefined) task = (tx, s) => mergeParts(tx, merge, s, clock.now());
    else if (embedder && dueForTraining(state.vectors, state.trainedVectors)) {
      task = async (tx, s) => {
        s.vectors = await retrain(tx, embedder.id, s, embedder.dimensions);
        s.trainedVectors = s.vectors;
      };
    } else if (embedder) {
      const due = packDue(await store.search.index.newVectorCounts());
      if (due.length > 0) {
        task = async (tx, s) => {
          for (const pack of due.slice(0, 16)) await packCluster(tx, pack, s, embedder.dimensions);
        };
      }
    }
    if (task === undefined) return false;
    const run = task;
    const done = await store.transaction(async (tx) => {
      if (!(await tx.leases.take('search-index', owner, clock.now(), this.leaseMs))) return false;
      const current = await IndexState.read(tx);
      if (!current.sameProgress(state)) return false;
      await run(tx, current);
      await current.write(tx);
      return true;
    });
    this.held = done;
    return done;
  }

  async release(): Promise<void> {
    this.held = false;
    await this.deps.store.leases.release('search-index', this.deps.owner);
  }

  /**
   * Writes a plan in one transaction that holds the lease and still finds the state it was
   * planned from (another indexer may have moved on meanwhile: the batch is then dropped, and
   * planned again from the new state). Returns what it added and removed; undefined if dropped.
   */
  async commit(
    plan: IndexPlan,
    planned: IndexState,
    progress: Progress,
  ): Promise<{ added: number; removed: number } | undefined> {
    const { store, clock, owner, text, embedder } = this.deps;
    const drafts = [...plan.additions.values()];
    const analyzed = drafts.map((d) => text.indexTerms(d.text));
    const vectors =
      embedder && drafts.length > 0
        ? await embedder.embed(
            drafts.map((d) => d.text),
            'document',
          )
        : undefined;
    const result = await store.transaction(async (tx) => {
      if (!(await tx.leases.take('search-index', owner, clock.now(), this.leaseMs))) return undefined;
      const state = await IndexState.read(tx);
      if (!state.sameProgress(planned)) return undefined;
      await this.loadQuantizer(tx, state);
      const removed = await removeDocs(tx, plan, state);
      for (const flowId of plan.deletedFlows) {
        for (const t of await tx.search.transcripts.ofFlow(flowId)) await tx.search.transcripts.delete(t.id);
      }
      const now = clock.now();
      const part = new PartBuilder();
      const docs: SearchDoc[] = [];
      const embedded: { doc: number; vector: Float32Array }[] = [];
      drafts.forEach((draft, i) => {
        const docNo = state.nextDoc++;
        const { terms, length } = analyzed[i] as { terms: Map<string, number>; length: number };
        docs.push(toDoc(draft, docNo, length, now));
        part.add(docNo, terms, length);
        state.docs++;
        state.tokens += length;
        const vector = vectors?.[i];
        if (vector !== undefined) embedded.push({ doc: docNo, vector });
      });
      await tx.search.docs.insert(docs);
      if (!part.empty) {
        const { info, rows } = part.build(state.nextPart++, now);
        await tx.search.index.writePart(info, rows);
      }
      if (embedded.length > 0 && embedder) {
        await tx.search.index.writeNewVectors(
          vectorRows(state.nextBlock++, embedder.id, this.quantizer, embedded),
        );
        state.vectors += embedded.length;
      }
      if (progress.cursor !== undefined) state.cursor = progress.cursor;
      if (progress.rebuild !== undefined) state.rebuild = progress.rebuild;
      await state.write(tx);
      await tx.search.transcripts.finishJobs(progress.jobs ?? []);
      return { added: docs.length, removed };
    });
    this.held = result !== undefined;
    return result;
  }

  private async loadQuantizer(tx: TamsStore, state: IndexState): Promise<void> {
    if (this.quantizerVersion !== undefined && this.quantizerVersion === state.centroidsVersion) return;
    const rows = await tx.search.index.centroids();
    this.quantizer = new CoarseQuantizer(rows.map((r) => decodeFloats(r.vector)));
    this.quantizerVersion = state.centroidsVersion;
  }
}

/** Resolves the plan's removals to documents and deletes them; returns how many went. */
async function removeDocs(tx: TamsStore, plan: IndexPlan, state: IndexState): Promise<number> {
  const gone = new Map<number, number>();
  const docs = tx.search.docs;
  for (const removal of plan.removals) {
    let found: SearchDoc[];
    switch (removal.kind) {
      case 'keys':
        found = await docs.byKeys(removal.keys);
        break;
      case 'flow':
        found = await docs.ofFlow(removal.flowId);
        break;
      case 'segment':
        found = (await docs.captionsOfSegments(removal.flowId, removal.segStart, removal.segStart)).filter(
          (d) => d.object_id === removal.objectId,
        );
        break;
      case 'transcript':
        found = await docs.ofTranscript(removal.transcriptId);
        break;
    }
    for (const d of found) gone.set(d.doc_no, d.length);
  }
  if (gone.size === 0) return 0;
  await docs.deleteNumbers([...gone.keys()]);
  for (const length of gone.values()) {
    state.docs--;
    state.tokens -= length;
  }
  return gone.size;
}

function toDoc(draft: DocDraft, docNo: number, length: number, indexed: Date): SearchDoc {
  return { ...draft, doc_no: docNo, length, indexed };
}
