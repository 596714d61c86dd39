/**
 * The k best documents over scored posting lists: the documents, scores and tie order that
 * adding up every posting gives, with work skipped only where bounds prove it cannot matter.
 *
 * Each list holds a term's BM25 contribution per document, computed once as its postings are
 * decoded (search.postings.ts), with the highest contribution of every block of BLOCK postings.
 * θ is the k-th best score so far (−∞ until k documents are held).
 *
 * - Any term may match (free words, prefixes): documents are scored a window of WINDOW document
 *   numbers at a time, term after term into an array (as Lucene's BooleanScorer does), so a
 *   posting costs an addition, never a hash lookup; a window whose lists' block maxima add up to
 *   no more than θ is passed over without reading its postings. Every posting is decoded anyway,
 *   and on short documents (cues: most terms once) a top 1000's θ stays below the sums of the
 *   lists' maxima, so document-at-a-time MaxScore, built first, considered most documents one by
 *   one and was slower than adding them up (BENCHMARKS.md).
 * - Every hit must hold some terms (phrase words): the candidates are the documents all their
 *   lists hold, found document at a time by leapfrogging from the shortest list; a candidate
 *   whose contributions so far plus the other lists' block maxima cannot exceed θ is dropped
 *   before its other lists are looked up.
 *
 * Scores add a document's contributions in the order of the query's lists, whatever the path,
 * so they are the same to the bit as the exhaustive sum's.
 */

/** Postings per block (the unit of block-max bounds). */
export const BLOCK = 64;
/** Document numbers scored together on the any-term path. */
export const WINDOW = 4096;

/**
 * Bounds are sums taken in another order than the scores they bound: floating-point rounding
 * could put a bound a few units of the last place below the score. Bounds are raised by this
 * relative margin, far above that error, before any comparison, so that nothing is skipped that
 * could have entered the top k.
 */
const SLACK = 1 + 1e-9;

/** One term's postings: documents in increasing order and the term's BM25 contribution to each. */
export interface ScoredList {
  readonly docs: Float64Array;
  readonly scores: Float64Array;
  /** The highest contribution of each block of BLOCK postings (postings [b·BLOCK, (b+1)·BLOCK)). */
  readonly blockMax: Float64Array;
}

/** A list of documents and contributions, with its blocks' bounds. `docs` must increase strictly. */
export function scoredList(docs: Float64Array, scores: Float64Array): ScoredList {
  const blocks = Math.ceil(docs.length / BLOCK);
  const blockMax = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const end = Math.min(docs.length, (b + 1) * BLOCK);
    let m = 0;
    for (let i = b * BLOCK; i < end; i++) if ((scores[i] as number) > m) m = scores[i] as number;
    blockMax[b] = m;
  }
  return { docs, scores, blockMax };
}

export interface TopKQuery {
  /** The scoring terms' lists, in the order their contributions are added up. */
  readonly lists: readonly ScoredList[];
  /** Indexes of `lists` every hit must hold. */
  readonly required: readonly number[];
  /** Documents no hit may be (each array increasing). */
  readonly excluded: readonly Float64Array[];
  readonly k: number;
  /** A last filter, asked only of documents that would enter the top k. */
  readonly accept?: (doc: number) => boolean;
}

export interface Ranked {
  readonly doc: number;
  readonly score: number;
}

/** What a run looked at (tests and benches check that skipping happens). */
export interface TopKStats {
  /** Documents scored (the others were passed over by a bound). */
  candidates: number;
  /** Windows (any-term path) or candidates (required terms) dropped by block-max bounds. */
  skips: number;
}

/** The k best documents by total contribution (ties: lower number first), best first. */
export function topK(query: TopKQuery, stats: TopKStats = { candidates: 0, skips: 0 }): Ranked[] {
  if (query.k <= 0 || query.lists.length === 0) return [];
  const run = new Run(query, stats);
  if (query.required.length > 0) run.conjunctive();
  else run.disjunctive();
  return run.heap.sorted();
}

/** A position in a list. */
class Cursor {
  pos = 0;
  constructor(readonly list: ScoredList) {}

  /** The document at the cursor; Infinity past the end. */
  doc(): number {
    return this.pos < this.list.docs.length ? (this.list.docs[this.pos] as number) : Infinity;
  }

  /** The index of the first posting at or after `target`, from the cursor on (galloping). */
  seek(target: number): number {
    const docs = this.list.docs;
    const n = docs.length;
    if (this.pos >= n || (docs[this.pos] as number) >= target) return this.pos;
    let low = this.pos;
    let step = 1;
    while (low + step < n && (docs[low + step] as number) < target) {
      low += step;
      step *= 2;
    }
    let high = Math.min(n, low + step);
    while (low + 1 < high) {
      const mid = (low + high) >>> 1;
      if ((docs[mid] as number) < target) low = mid;
      else high = mid;
    }
    return high;
  }

  advance(target: number): void {
    this.pos = this.seek(target);
  }

  /** The highest contribution among postings [from, to) (their blocks' maxima: a bound). */
  maxIn(from: number, to: number): number {
    if (from >= to) return 0;
    let m = 0;
    for (let b = Math.floor(from / BLOCK); b * BLOCK < to; b++) {
      const v = this.list.blockMax[b] as number;
      if (v > m) m = v;
    }
    return m;
  }

  /** A bound on the contribution at `target` or later in its block (moves to `target`). */
  boundAt(target: number): number {
    this.advance(target);
    return this.pos < this.list.docs.length
      ? (this.list.blockMax[Math.floor(this.pos / BLOCK)] as number)
      : 0;
  }

  /** The contribution at `doc`, moving there; 0 when the list does not hold it. */
  scoreAt(doc: number): number {
    this.advance(doc);
    return this.doc() === doc ? (this.list.scores[this.pos] as number) : 0;
  }
}

/** One query's evaluation. */
class Run {
  readonly heap: Heap;
  private readonly cursors: Cursor[];
  private readonly excluded: Cursor[];

  constructor(
    private readonly query: TopKQuery,
    private readonly stats: TopKStats,
  ) {
    this.heap = new Heap(query.k);
    this.cursors = query.lists.map((list) => new Cursor(list));
    // Excluded documents are only looked up: no contributions, no blocks.
    const none = new Float64Array(0);
    this.excluded = query.excluded.map((docs) => new Cursor({ docs, scores: none, blockMax: none }));
  }

  /** The score a document must beat to enter (−Infinity until the top k is full). */
  private threshold(): number {
    return this.heap.full() ? this.heap.minScore() : -Infinity;
  }

  /** Any term may match: window after window; see the file's comment. */
  disjunctive(): void {
    const lists = this.cursors;
    const sums = new Float64Array(WINDOW);
    // Marks hold the number of the window that last wrote them, so nothing is cleared between.
    const seen = new Int32Array(WINDOW);
    const banned = new Int32Array(WINDOW);
    const touched = new Int32Array(WINDOW);
    const ends = new Array<number>(lists.length).fill(0);
    for (let window = 1; ; window++) {
      let from = Infinity;
      for (const c of lists) from = Math.min(from, c.doc());
      if (from === Infinity) return;
      const to = from + WINDOW;
      const theta = this.threshold();
      let bound = 0;
      for (let t = 0; t < lists.length; t++) {
        const c = lists[t] as Cursor;
        const end = c.seek(to);
        ends[t] = end;
        if (theta > -Infinity) bound += c.maxIn(c.pos, end);
      }
      if (theta > -Infinity && bound * SLACK <= theta) {
        for (let t = 0; t < lists.length; t++) (lists[t] as Cursor).pos = ends[t] as number;
        this.stats.skips++;
        continue;
      }
      // Term after term, in the query's order: each document's sum adds up as the exhaustive one.
      let n = 0;
      for (let t = 0; t < lists.length; t++) {
        const c = lists[t] as Cursor;
        const { docs, scores } = c.list;
        const end = ends[t] as number;
        for (let p = c.pos; p < end; p++) {
          const i = (docs[p] as number) - from;
          if (seen[i] !== window) {
            seen[i] = window;
            sums[i] = 0;
            touched[n++] = i;
          }
          sums[i] = (sums[i] as number) + (scores[p] as number);
        }
        c.pos = end;
      }
      for (const c of this.excluded) {
        c.advance(from);
        for (; c.pos < c.list.docs.length && (c.list.docs[c.pos] as number) < to; c.pos++) {
          banned[(c.list.docs[c.pos] as number) - from] = window;
        }
      }
      this.stats.candidates += n;
      for (let j = 0; j < n; j++) {
        const i = touched[j] as number;
        const doc = from + i;
        const score = sums[i] as number;
        if (!this.heap.takes(doc, score) || banned[i] === window) continue;
        if (this.query.accept?.(doc) ?? true) this.heap.offer(doc, score);
      }
    }
  }

  /** Every hit holds each required list: candidates are their intersection, document at a time. */
  conjunctive(): void {
    const required = this.query.required.map((i) => this.cursors[i] as Cursor);
    const lead = required.reduce((a, b) => (b.list.docs.length < a.list.docs.length ? b : a));
    const isRequired = new Set(this.query.required);
    const optional = this.cursors.filter((_, i) => !isRequired.has(i));
    for (;;) {
      const doc = intersect(lead, required);
      if (doc === Infinity) return;
      this.candidate(doc, required, optional);
      lead.pos++;
    }
  }

  /** A document every required list holds (their cursors on it): bounded, then scored. */
  private candidate(doc: number, required: readonly Cursor[], optional: readonly Cursor[]): void {
    const theta = this.threshold();
    if (theta > -Infinity) {
      let bound = 0;
      for (const c of required) bound += c.list.scores[c.pos] as number;
      for (const c of optional) bound += c.boundAt(doc);
      if (bound * SLACK <= theta) {
        this.stats.skips++;
        return;
      }
    }
    this.stats.candidates++;
    // In the query's order of lists (absent ones add 0, which changes no sum).
    let score = 0;
    for (const c of this.cursors) score += c.scoreAt(doc);
    if (!this.heap.takes(doc, score)) return;
    const banned = this.excluded.some((c) => {
      c.advance(doc);
      return c.doc() === doc;
    });
    if (!banned && (this.query.accept?.(doc) ?? true)) this.heap.offer(doc, score);
  }
}

/**
 * The next document every required cursor holds, from the lead's position (leapfrogging: each
 * list jumps to the highest document another has reached). Leaves every cursor on it.
 */
function intersect(lead: Cursor, required: readonly Cursor[]): number {
  let target = lead.doc();
  while (target !== Infinity) {
    let agreed = true;
    for (const c of required) {
      c.advance(target);
      const at = c.doc();
      if (at !== target) {
        target = at;
        agreed = false;
        break;
      }
    }
    if (agreed) return target;
  }
  return Infinity;
}

/**
 * The k best (document, score) pairs: a binary heap whose root is the worst kept (lowest score,
 * then highest document number), the order search.ivf.ts's TopK keeps, so that keyword rankings
 * tie as they always did.
 */
class Heap {
  private readonly docs: Float64Array;
  private readonly scores: Float64Array;
  private size = 0;

  constructor(private readonly k: number) {
    this.docs = new Float64Array(k);
    this.scores = new Float64Array(k);
  }

  full(): boolean {
    return this.size === this.k;
  }

  minScore(): number {
    return this.scores[0] as number;
  }

  /** Whether `offer` would keep this pair. */
  takes(doc: number, score: number): boolean {
    if (this.size < this.k) return true;
    const root = this.scores[0] as number;
    return score > root || (score === root && doc < (this.docs[0] as number));
  }

  /** Whether entry i ranks below entry j. */
  private below(i: number, j: number): boolean {
    const si = this.scores[i] as number;
    const sj = this.scores[j] as number;
    return si < sj || (si === sj && (this.docs[i] as number) > (this.docs[j] as number));
  }

  private swap(i: number, j: number): void {
    const d = this.docs[i] as number;
    const s = this.scores[i] as number;
    this.docs[i] = this.docs[j] as number;
    this.scores[i] = this.scores[j] as number;
    this.docs[j] = d;
    this.scores[j] = s;
  }

  offer(doc: number, score: number): void {
    if (!this.takes(doc, score)) return;
    if (this.size < this.k) {
      let i = this.size++;
      this.docs[i] = doc;
      this.scores[i] = score;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.below(i, parent)) break;
        this.swap(i, parent);
        i = parent;
      }
      return;
    }
    this.docs[0] = doc;
    this.scores[0] = score;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.size && this.below(l, m)) m = l;
      if (r < this.size && this.below(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }

  sorted(): Ranked[] {
    const out: Ranked[] = [];
    for (let i = 0; i < this.size; i++) {
      out.push({ doc: this.docs[i] as number, score: this.scores[i] as number });
    }
    return out.sort((a, b) => b.score - a.score || a.doc - b.doc);
  }
}
