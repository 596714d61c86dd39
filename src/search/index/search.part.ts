import { CELL_MAX_BYTES } from '../../common/cells.ts';
import { encodePostings, type Posting } from '../store/search.codec.ts';
import type { PartInfo, PostingsRow } from '../store/search.index.repo.ts';

/**
 * Postings per row at most: a row of a very common term stays well under a megabyte of text.
 * A row's packed text must also fit in one stored value (CELL_MAX_BYTES, VAST's cell limit):
 * postings take 4 to 16 characters each, so a full row may not, and is then split further.
 */
const ROW_POSTINGS = 16_384;

/** The postings of `list` from `from` in one row: as many as ROW_POSTINGS and one cell allow. */
function rowFrom(list: readonly Posting[], from: number): { count: number; data: string } {
  let count = Math.min(ROW_POSTINGS, list.length - from);
  for (;;) {
    // Base64: one byte a character.
    const data = encodePostings(list.slice(from, from + count));
    if (data.length <= CELL_MAX_BYTES || count === 1) return { count, data };
    count = Math.ceil(count / 2);
  }
}

/**
 * The inverted index of one indexer batch: documents are added in increasing number, and the
 * part's rows are the postings of each term, packed.
 */
export class PartBuilder {
  private readonly postings = new Map<string, Posting[]>();
  private first: number | undefined;
  private last = 0;
  private docs = 0;
  private tokens = 0;

  /** `terms`: each indexed term of the document and how often it occurs; `length`: its tokens. */
  add(docNo: number, terms: ReadonlyMap<string, number>, length: number): void {
    if (this.first !== undefined && docNo <= this.last)
      throw new RangeError('documents must be added in order');
    this.first ??= docNo;
    this.last = docNo;
    this.docs++;
    this.tokens += length;
    for (const [term, tf] of terms) {
      let list = this.postings.get(term);
      if (list === undefined) {
        list = [];
        this.postings.set(term, list);
      }
      list.push({ doc: docNo, tf, length });
    }
  }

  get empty(): boolean {
    return this.docs === 0;
  }

  get documents(): number {
    return this.docs;
  }

  build(part: number, created: Date): { info: PartInfo; rows: PostingsRow[] } {
    const rows: PostingsRow[] = [];
    for (const [term, list] of this.postings) {
      for (let i = 0, chunk = 0; i < list.length; chunk++) {
        const { count, data } = rowFrom(list, i);
        rows.push({ part, term, chunk, count, data });
        i += count;
      }
    }
    return {
      info: {
        part,
        doc_first: this.first ?? 0,
        doc_last: this.last,
        docs: this.docs,
        tokens: this.tokens,
        created,
      },
      rows,
    };
  }
}

/** Term frequencies of a document's tokens. */
export function termCounts(terms: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}
