import { FlowLookup } from '../../store/flows.lookup.ts';
import { HeldCursor } from '../../store/followers/follower.cursor.ts';
import { FollowerLease } from '../../store/followers/leases.follower.ts';
import type { SearchDoc } from '../store/search.docs.repo.ts';
import { searchRepos } from '../store/search.repos.ts';
import type { SearchVectorsRepo } from '../store/search.vectors.repo.ts';
import { type CoarseQuantizer, type Entry, fileEntries, vectorRows } from '../vectors/search.ivf.ts';
import { endOf, type IvfLayout, stampOf, trainingDue } from '../vectors/search.layout.ts';
import { pacer } from '../vectors/search.pace.ts';
import { quantizerOf } from '../vectors/search.quantizers.ts';
import { EventParts, eventsScope, needsPayload, removeDocs, toDoc } from './search.batch.ts';
import { embedEach } from './search.embedding.ts';
import type { DocDraft } from './search.extract.ts';
import type { IndexerDeps, Progress } from './search.index.types.ts';
import { IndexPlan, type ItemNote } from './search.indexplan.ts';
import { logNotes, noteOf, writeItems } from './search.items.ts';
import { mergeCandidates, mergeParts, packCluster, packDue } from './search.maintain.ts';
import { PartBuilder } from './search.part.ts';
import { planEvents, planJob } from './search.plan.ts';
import { RebuildScan } from './search.rebuild.ts';
import { type Apply, prepareRefile, prepareTraining, UpkeepSuperseded } from './search.refile.ts';
import { type BatchScope, Recovery } from './search.retry.ts';
import { IndexState } from './search.state.ts';

/**
 * Events and transcript jobs taken per batch. Most events need no more than their head (only
 * timed text Flows' segments are read whole): one batch each FOLLOWER_MIN_PAUSE_MS takes ~16,000
 * single-segment registrations a second, and a follower further behind runs batch after batch.
 */
const EVENT_BATCH = 5000;
const JOB_BATCH = 20;
/** Documents a batch adds at most, from transcript jobs (events are taken whole). */
const BATCH_DOCS = 2000;

/**
 * Follows the store through the event outbox and keeps the search index in step: each batch of
 * events (and of transcript jobs) becomes, in one transaction with the cursor past them, the
 * documents removed and added, a new part of the inverted index and the new documents' vectors.
 * A restart, or another replica taking the lease over, goes on from the saved cursor; a store
 * without one (new, or emptied by `tams-mgmt search reindex`) is first indexed from its tables.
 */
export class SearchIndexer {
  /** The current generation's quantizer, for the layout it was read for. */
  private quantizer: { stamp: string; value: CoarseQuantizer } | undefined;
  private upkeepTurn = false;

  private readonly lease: FollowerLease;
  /** The cursor past batches that had nothing to index, when it is not written yet. */
  private readonly held: HeldCursor;
  private readonly recovery: Recovery;
  /** The items of the batch being worked on (see Recovery), until it went through. */
  private batch: BatchScope | undefined;
  private readonly parts = new EventParts();

  constructor(private readonly deps: IndexerDeps) {
    this.lease = new FollowerLease('search-index', deps);
    this.held = new HeldCursor(this.lease.topology, deps.clock);
    this.recovery = new Recovery({
      store: deps.store,
      lease: this.lease,
      clock: deps.clock,
      log: deps.log,
      firstMs: deps.retryMs?.first ?? 1000,
      maxMs: deps.retryMs?.max ?? 60_000,
    });
  }

  /**
   * One batch; true when there may be more to do at once. A failure never stops the indexer:
   * Recovery (search.retry.ts) waits out a transient one and isolates the item behind any other.
   */
  async step(): Promise<boolean> {
    if (this.recovery.waiting()) return false;
    this.batch = undefined;
    let more: boolean;
    try {
      more = await this.work();
    } catch (error) {
      const batch = this.batch;
      this.batch = undefined;
      return this.recovery.failed(error, batch);
    }
    await this.recovery.recovered();
    return more;
  }

  private async work(): Promise<boolean> {
    const { store } = this.deps;
    if (!(await this.lease.mayWork())) return false;
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
      const scan = new RebuildScan(this.deps, (...args) => this.commit(...args));
      return scan.step(state, this.recovery.limit(Number.POSITIVE_INFINITY), (batch) => {
        this.batch = batch;
      });
    }
    const base = state.progressKey();
    const from = this.held.from(base, state.cursor);
    const flows = new FlowLookup(store);
    const jobLimit = this.recovery.limit(JOB_BATCH);
    const eventLimit = this.recovery.limit(EVENT_BATCH);
    const [jobs, read] = await Promise.all([
      searchRepos(store).transcripts.jobs(jobLimit),
      store.events
        .settled()
        .then((upTo) => store.events.afterSome(from, eventLimit, upTo, needsPayload(flows))),
    ]);
    // One item at a time (Recovery): a job, else an event, else one segment of an event.
    const events = eventLimit === 1 && jobs.length > 0 ? [] : read;
    const part = eventLimit === 1 ? this.parts.of(events) : undefined;
    if (jobs.length === 0 && events.length === 0) {
      await this.writeHeld();
      if (await this.maintain()) return true;
      await this.lease.idle();
      return false;
    }
    this.upkeepTurn = true;
    // Passing over the batch's one item: its failure recorded, and reported as a batch's are.
    const passOver = async (p: IndexPlan, progress: Progress) => {
      const done = await this.commit(p, state, progress);
      const cursor = progress.cursor ?? from;
      if (done !== undefined)
        this.deps.onBatch?.({ events: 0, jobs: 0, ...done, failures: p.failures, cursor });
      return done;
    };
    const batch = eventsScope(jobs, events, passOver, { part, from });
    this.batch = batch;
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
    await planEvents(this.deps, flows, applied, plan, part?.index);
    // Past the event once its last segment is done.
    const cursor = part !== undefined && !part.last ? from : (applied.at(-1)?.seq ?? from);
    // Events that change no document (other Flows' segments): the cursor may wait (HeldCursor).
    const nothing =
      taken.length === 0 &&
      plan.additions.size === 0 &&
      plan.removals.length === 0 &&
      plan.deletedFlows.size === 0;
    if (nothing && this.held.mayHold(base)) {
      this.held.hold(base, cursor);
      this.recovery.done(batch);
      this.batch = undefined;
      this.deps.onBatch?.({
        events: applied.length,
        jobs: 0,
        added: 0,
        removed: 0,
        failures: plan.failures,
        cursor,
      });
      return applied.length === eventLimit;
    }
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
    return applied.length === eventLimit || taken.length < jobs.length || jobs.length === jobLimit;
  }

  /**
   * Background upkeep, between batches and while there is nothing to apply: merges small parts,
   * trains a new generation of vector clusters as the collection grows and files the vectors
   * under it step by step, packs clusters spread over many rows. One task per step: its reading
   * and computing first, then its writes in a transaction holding the lease that finds the
   * index where the task was planned from; true when it did one.
   */
  private async maintain(): Promise<boolean> {
    const { store, clock } = this.deps;
    const merge = mergeCandidates(await searchRepos(store).index.parts());
    const state = await IndexState.read(store);
    const task: Apply | undefined =
      merge !== undefined
        ? async (tx, s) => {
            await mergeParts(tx, merge, s, clock.now());
          }
        : await this.vectorUpkeep(state);
    if (task === undefined) return false;
    try {
      let after: IndexState | undefined;
      const done = await store.transaction(async (tx) => {
        if (!(await this.lease.take(tx))) return false;
        const current = await IndexState.read(tx);
        if (!current.sameProgress(state)) return false;
        await task(tx, current);
        await current.write(tx);
        after = current;
        return true;
      });
      this.lease.settle(done);
      if (after !== undefined) this.reportLayout(state, after);
      return done;
    } catch (error) {
      // The index moved on under a prepared step (rolled back): planned again next time.
      if (error instanceof UpkeepSuperseded) return false;
      throw error;
    }
  }

  /** Logs a generation of vector clusters trained or done with (they come minutes apart). */
  private reportLayout(before: IndexState, after: IndexState): void {
    const was = before.layout;
    const now = after.layout;
    if (now === undefined || (was !== undefined && was.version === now.version)) return;
    if (now.previous !== undefined) {
      this.deps.log.info(
        { clusters: now.current.clusters, vectors: after.vectors, previous: now.previous.clusters },
        'search: vector clusters trained; filing the vectors under them',
      );
    } else if (was?.previous !== undefined) {
      this.deps.log.info(
        { clusters: now.current.clusters, vectors: after.vectors },
        'search: vectors refiled',
      );
    }
  }

  /** The vector index's next upkeep task, prepared (see maintain). */
  private async vectorUpkeep(state: IndexState): Promise<Apply | undefined> {
    const { store, embedder } = this.deps;
    if (embedder === undefined) return undefined;
    const layout = await state.vectorLayout(searchRepos(store).vectors);
    // An index from before layouts were kept gets its layout written once.
    if (state.layout === undefined) {
      return async (_tx, s) => {
        s.layout = layout;
      };
    }
    const up = {
      store,
      model: embedder.id,
      dims: embedder.dimensions,
      pace: pacer(),
      stepVectors: this.deps.refileVectors,
    };
    if (layout.previous !== undefined) {
      return prepareRefile(up, layout, await this.quantizerFor(searchRepos(store).vectors, layout));
    }
    if (trainingDue(layout, state.vectors)) return prepareTraining(up, layout, state.vectors);
    const due = packDue(
      await searchRepos(store).vectors.headsInRange(layout.current.base, endOf(layout.current)),
    );
    if (due.length === 0) return undefined;
    return async (tx, s) => {
      for (const pack of due.slice(0, 16)) await packCluster(tx, pack, s, embedder.dimensions);
    };
  }

  /** The current generation's quantizer, its centroids grouped for filing (search.ivf.ts). */
  private async quantizerFor(vectors: SearchVectorsRepo, layout: IvfLayout): Promise<CoarseQuantizer> {
    const stamp = stampOf(layout);
    if (this.quantizer?.stamp === stamp) return this.quantizer.value;
    const value = await quantizerOf(vectors, layout.current, this.deps.embedder?.id ?? '');
    await value.prepare(pacer());
    this.quantizer = { stamp, value };
    return value;
  }

  /** Writes the cursor held in memory, if any (see HeldCursor). */
  private writeHeld(): Promise<void> {
    return this.held.write(this.deps.store, this.lease, async (tx, held) => {
      const state = await IndexState.read(tx);
      if (state.progressKey() !== held.base) return false;
      state.cursor = held.cursor;
      await state.write(tx);
      return true;
    });
  }

  async release(): Promise<void> {
    await this.writeHeld();
    await this.lease.release();
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
    const { store, clock, text, embedder } = this.deps;
    const drafts = [...plan.additions.values()];
    const analyzed = drafts.map((d) => text.indexTerms(d.text));
    const vectors = embedder
      ? await embedEach(
          embedder,
          drafts.map((d) => d.text),
        )
      : [];
    // Filed before the transaction (the CPU work of filing stays out of it): the transaction
    // finds the state planned from, so the documents get the numbers planned here. A document
    // whose text the embedding service refused has no vector (its item's note counts it).
    const entries: Entry[] = [];
    vectors.forEach((vector, i) => {
      if (vector !== undefined) entries.push({ doc: planned.nextDoc + i, vector });
      else this.unembedded(plan, drafts[i] as DocDraft);
    });
    const layout = entries.length > 0 ? await planned.vectorLayout(searchRepos(store).vectors) : undefined;
    let filed =
      layout === undefined
        ? undefined
        : await fileEntries(await this.quantizerFor(searchRepos(store).vectors, layout), entries, pacer());
    // The items whose outcome is new, for the log once the batch has committed.
    let changed: ItemNote[] = [];
    const result = await store.transaction(async (tx) => {
      if (!(await this.lease.take(tx))) return undefined;
      const state = await IndexState.read(tx);
      if (!state.sameProgress(planned)) return undefined;
      if (layout !== undefined) {
        // A new generation of clusters since: filed again under it.
        const now = await state.vectorLayout(searchRepos(tx).vectors);
        if (stampOf(now) !== stampOf(layout)) {
          filed = await fileEntries(await this.quantizerFor(searchRepos(tx).vectors, now), entries, pacer());
        }
      }
      const removed = await removeDocs(tx, plan, state);
      for (const flowId of plan.deletedFlows) {
        for (const t of await searchRepos(tx).transcripts.ofFlow(flowId))
          await searchRepos(tx).transcripts.delete(t.id);
      }
      const now = clock.now();
      const part = new PartBuilder();
      const docs: SearchDoc[] = [];
      drafts.forEach((draft, i) => {
        const docNo = state.nextDoc++;
        const { terms, length } = analyzed[i] as { terms: Map<string, number>; length: number };
        docs.push(toDoc(draft, docNo, length, now));
        part.add(docNo, terms, length);
        state.docs++;
        state.tokens += length;
      });
      await searchRepos(tx).docs.insert(docs);
      if (!part.empty) {
        const { info, rows } = part.build(state.nextPart++, now);
        await searchRepos(tx).index.writePart(info, rows);
      }
      if (filed !== undefined && embedder) {
        await searchRepos(tx).vectors.writeNew(vectorRows(state.nextBlock++, embedder.id, filed));
        state.vectors += entries.length;
      }
      changed = await writeItems(tx, plan, state, now);
      state.retrying = null;
      if (progress.cursor !== undefined) state.cursor = progress.cursor;
      if (progress.rebuild !== undefined) state.rebuild = progress.rebuild;
      await state.write(tx);
      await searchRepos(tx).transcripts.finishJobs(progress.jobs ?? []);
      return { added: docs.length, removed };
    });
    this.lease.settle(result !== undefined);
    if (result !== undefined) {
      this.held.written();
      if (this.batch !== undefined) this.recovery.done(this.batch);
      this.batch = undefined;
      logNotes(this.deps.log, changed);
    }
    return result;
  }

  /** A document the embedding service refused: counted on its item, or logged for metadata. */
  private unembedded(plan: IndexPlan, doc: DocDraft): void {
    const note: ItemNote | undefined = noteOf(plan, doc);
    if (note !== undefined) note.unembedded++;
    else {
      this.deps.log.warn(
        { doc_key: doc.doc_key },
        'search: the embedding service refused the text of a document; it is found by keyword search only',
      );
    }
  }
}
