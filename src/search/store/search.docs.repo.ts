import type { DbSession, Row } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { big, date, num, reqStr, str } from '../../store/rows.ts';
import { ST } from './search.tables.ts';

export type SearchDocKind = 'source' | 'flow' | 'caption' | 'transcript';

/** A document of the search index: what a hit is of, and the text it was found in. */
export interface SearchDoc {
  doc_no: number;
  doc_key: string;
  kind: SearchDocKind;
  flow_id?: string;
  source_id?: string;
  format?: string;
  codec?: string;
  /** The moment on the Flow's timeline, [start, end) in nanoseconds (timed documents only). */
  time_start?: bigint;
  time_end?: bigint;
  seg_start?: bigint;
  object_id?: string;
  transcript_id?: string;
  speaker?: string;
  text: string;
  length: number;
  indexed: Date;
}

/** What a search hit is made of: where its words are and when, and its text once it is shown. */
export type HitDoc = Pick<
  SearchDoc,
  | 'doc_no'
  | 'kind'
  | 'flow_id'
  | 'source_id'
  | 'transcript_id'
  | 'time_start'
  | 'time_end'
  | 'text'
  | 'speaker'
>;

/**
 * Reads in groups of this many document numbers (one `in` comparison each): short lists are
 * bound value by value, which lets the embedded engine look them up through its index on
 * `doc_no` (longer ones travel as one list parameter and are scanned).
 */
const LOOKUP = 64;

export class SearchDocsRepo {
  constructor(private readonly db: DbSession) {}

  async insert(docs: readonly SearchDoc[]): Promise<void> {
    if (docs.length === 0) return;
    await this.db.insert(ST.docs, docs.map(toRow));
  }

  /**
   * The live documents among `docNos`, in no particular order; `text: false` leaves out their
   * text and speaker (a column store reads a wide text column for every row group a lookup
   * touches: ten times the cost of the rest, so texts are read only for the hits shown).
   */
  async byNumbers(docNos: readonly number[], options: { text?: boolean } = {}): Promise<SearchDoc[]> {
    const out: SearchDoc[] = [];
    const columns = options.text === false ? DOC_FIELDS : undefined;
    for (let i = 0; i < docNos.length; i += LOOKUP) {
      const slice = docNos.slice(i, i + LOOKUP).map(BigInt);
      const rows = await this.db.select(ST.docs, { where: and(col('doc_no').in(slice)), columns });
      for (const row of rows) out.push(fromRow(row));
    }
    return out;
  }

  /**
   * What search hits need of the live documents among `docNos` (in no particular order), the
   * text and speaker only with `text`: a lookup reads each column of each row it finds, so the
   * fewer the faster (7 columns instead of 14: 6.2 against 9.9 ms for 192 documents on the
   * 1,000,000-cue index). The lookups run side by side (outside a transaction each takes a
   * reader connection of its own).
   */
  async hits(docNos: readonly number[], options: { text: boolean }): Promise<HitDoc[]> {
    const columns = options.text ? [...HIT_FIELDS, 'text', 'speaker'] : HIT_FIELDS;
    const lookups: Promise<Row[]>[] = [];
    for (let i = 0; i < docNos.length; i += LOOKUP) {
      const slice = docNos.slice(i, i + LOOKUP).map(BigInt);
      lookups.push(this.db.select(ST.docs, { where: and(col('doc_no').in(slice)), columns }));
    }
    return (await Promise.all(lookups)).flatMap((rows) => rows.map(hitFromRow));
  }

  /** Which of these document numbers are live (their vectors are kept when refiled). */
  async liveAmong(docNos: readonly number[]): Promise<Set<number>> {
    const live = new Set<number>();
    for (let i = 0; i < docNos.length; i += LOOKUP) {
      const rows = await this.db.select(ST.docs, {
        where: and(col('doc_no').in(docNos.slice(i, i + LOOKUP).map(BigInt))),
        columns: ['doc_no'],
      });
      for (const row of rows) live.add(num(row, 'doc_no') ?? -1);
    }
    return live;
  }

  /** Texts and speakers of these documents (those still live). */
  async texts(docNos: readonly number[]): Promise<Map<number, { text: string; speaker?: string }>> {
    const out = new Map<number, { text: string; speaker?: string }>();
    for (let i = 0; i < docNos.length; i += LOOKUP) {
      const rows = await this.db.select(ST.docs, {
        where: and(col('doc_no').in(docNos.slice(i, i + LOOKUP).map(BigInt))),
        columns: ['doc_no', 'text', 'speaker'],
      });
      for (const row of rows) {
        const speaker = str(row, 'speaker');
        out.set(num(row, 'doc_no') ?? 0, {
          text: str(row, 'text') ?? '',
          ...(speaker !== undefined && { speaker }),
        });
      }
    }
    return out;
  }

  /** Live documents of these keys. */
  async byKeys(keys: readonly string[]): Promise<SearchDoc[]> {
    const out: SearchDoc[] = [];
    for (let i = 0; i < keys.length; i += LOOKUP) {
      const rows = await this.db.select(ST.docs, {
        where: and(col('doc_key').in(keys.slice(i, i + LOOKUP))),
      });
      for (const row of rows) out.push(fromRow(row));
    }
    return out;
  }

  /** Documents of a Flow, all kinds or one (`flow_id` names the Flow the words come from). */
  async ofFlow(flowId: string, kind?: SearchDocKind): Promise<SearchDoc[]> {
    const rows = await this.db.select(ST.docs, {
      where: and(col('flow_id').eq(flowId), kind !== undefined && col('kind').eq(kind)),
      columns: DOC_REFS,
    });
    return rows.map(fromRow);
  }

  /** Caption documents of a Flow whose segments start within [from, to] (null: unbounded). */
  async captionsOfSegments(flowId: string, from: bigint | null, to: bigint | null): Promise<SearchDoc[]> {
    const rows = await this.db.select(ST.docs, {
      where: and(
        col('flow_id').eq(flowId),
        col('kind').eq('caption'),
        from !== null && col('seg_start').ge(from),
        to !== null && col('seg_start').le(to),
      ),
      columns: DOC_REFS,
    });
    return rows.map(fromRow);
  }

  /** Documents of a transcript version. */
  async ofTranscript(transcriptId: string): Promise<SearchDoc[]> {
    const rows = await this.db.select(ST.docs, {
      where: and(col('transcript_id').eq(transcriptId)),
      columns: DOC_REFS,
    });
    return rows.map(fromRow);
  }

  /** Document numbers still live in [first, last] (a part being merged). */
  async liveNumbers(first: number, last: number): Promise<Set<number>> {
    const rows = await this.db.select(ST.docs, {
      where: and(col('doc_no').ge(BigInt(first)), col('doc_no').le(BigInt(last))),
      columns: ['doc_no'],
    });
    return new Set(rows.map((r) => num(r, 'doc_no') ?? -1));
  }

  /** Deletes documents by number; returns how many there were. */
  async deleteNumbers(docNos: readonly number[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < docNos.length; i += LOOKUP) {
      deleted += await this.db.delete(
        ST.docs,
        and(col('doc_no').in(docNos.slice(i, i + LOOKUP).map(BigInt))),
      );
    }
    return deleted;
  }

  async count(): Promise<number> {
    return this.db.count(ST.docs);
  }

  /** Every document in number order, a batch at a time (re-embedding, reindex checks). */
  async page(after: number, limit: number): Promise<SearchDoc[]> {
    const rows = await this.db.select(ST.docs, {
      where: and(col('doc_no').gt(BigInt(after))),
      orderBy: [{ column: 'doc_no' }],
      limit,
    });
    return rows.map(fromRow);
  }
}

/** Everything but the text and speaker. */
const DOC_FIELDS = [
  'doc_no',
  'doc_key',
  'kind',
  'flow_id',
  'source_id',
  'format',
  'codec',
  'time_start',
  'time_end',
  'seg_start',
  'object_id',
  'transcript_id',
  'length',
  'indexed',
];

/** The columns of a HitDoc but its text and speaker. */
const HIT_FIELDS = ['doc_no', 'kind', 'flow_id', 'source_id', 'transcript_id', 'time_start', 'time_end'];

/** The columns that identify a document and count in the statistics (no text). */
const DOC_REFS = [
  'doc_no',
  'doc_key',
  'kind',
  'flow_id',
  'source_id',
  'seg_start',
  'object_id',
  'transcript_id',
  'length',
  'indexed',
];

function toRow(d: SearchDoc): Row {
  return {
    doc_no: BigInt(d.doc_no),
    doc_key: d.doc_key,
    kind: d.kind,
    flow_id: d.flow_id ?? null,
    source_id: d.source_id ?? null,
    format: d.format ?? null,
    codec: d.codec ?? null,
    time_start: d.time_start ?? null,
    time_end: d.time_end ?? null,
    seg_start: d.seg_start ?? null,
    object_id: d.object_id ?? null,
    transcript_id: d.transcript_id ?? null,
    speaker: d.speaker ?? null,
    text: d.text,
    length: d.length,
    indexed: d.indexed,
  };
}

function hitFromRow(row: Row): HitDoc {
  const doc: HitDoc = {
    doc_no: num(row, 'doc_no') ?? 0,
    kind: reqStr(row, 'kind') as SearchDocKind,
    text: str(row, 'text') ?? '',
  };
  for (const key of ['flow_id', 'source_id', 'transcript_id', 'speaker'] as const) {
    const v = str(row, key);
    if (v !== undefined) doc[key] = v;
  }
  for (const key of ['time_start', 'time_end'] as const) {
    const v = big(row, key);
    if (v !== undefined) doc[key] = v;
  }
  return doc;
}

function fromRow(row: Row): SearchDoc {
  const doc: SearchDoc = {
    doc_no: num(row, 'doc_no') ?? 0,
    doc_key: reqStr(row, 'doc_key'),
    kind: reqStr(row, 'kind') as SearchDocKind,
    text: str(row, 'text') ?? '',
    length: num(row, 'length') ?? 0,
    indexed: date(row, 'indexed') ?? new Date(0),
  };
  for (const key of [
    'flow_id',
    'source_id',
    'format',
    'codec',
    'object_id',
    'transcript_id',
    'speaker',
  ] as const) {
    const v = str(row, key);
    if (v !== undefined) doc[key] = v;
  }
  for (const key of ['time_start', 'time_end', 'seg_start'] as const) {
    const v = big(row, key);
    if (v !== undefined) doc[key] = v;
  }
  return doc;
}
