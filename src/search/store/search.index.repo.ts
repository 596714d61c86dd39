import type { DbSession, JsonValue, Row } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { date, num, reqStr } from '../../store/rows.ts';
import { termHash } from './search.codec.ts';
import { ST } from './search.tables.ts';

/** A part's postings of one term (one row of several when the term has many). */
export interface PostingsRow {
  part: number;
  term: string;
  chunk: number;
  count: number;
  data: string;
}

export interface PartInfo {
  part: number;
  doc_first: number;
  doc_last: number;
  docs: number;
  tokens: number;
  created: Date;
}

/** Terms asked for per select (see SearchDocsRepo's LOOKUP: short lists use the index). */
const LOOKUP = 64;

/** The inverted index's parts and the indexer's state (the vectors: search.vectors.repo.ts). */
export class SearchIndexRepo {
  constructor(private readonly db: DbSession) {}

  async writePart(info: PartInfo, rows: readonly PostingsRow[]): Promise<void> {
    await this.db.insert(ST.parts, [
      {
        part: BigInt(info.part),
        doc_first: BigInt(info.doc_first),
        doc_last: BigInt(info.doc_last),
        docs: BigInt(info.docs),
        tokens: BigInt(info.tokens),
        created: info.created,
      },
    ]);
    if (rows.length === 0) return;
    // Sorted by hash, so the part's rows are contiguous ranges of the column DuckDB filters on.
    const sorted = rows
      .map((r) => ({ r, hash: termHash(r.term) }))
      .sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : a.r.chunk - b.r.chunk));
    await this.db.insert(
      ST.postings,
      sorted.map(({ r, hash }) => ({
        part: BigInt(r.part),
        term_hash: hash,
        term: r.term,
        chunk: r.chunk,
        count: r.count,
        data: r.data,
      })),
    );
  }

  /** The postings rows of these terms in every part (or in the parts given). */
  async postings(terms: readonly string[], parts?: readonly number[]): Promise<PostingsRow[]> {
    const wanted = new Set(terms);
    const out: PostingsRow[] = [];
    const hashes = [...wanted].map(termHash);
    for (let i = 0; i < hashes.length; i += LOOKUP) {
      const rows = await this.db.select(ST.postings, {
        where: and(
          col('term_hash').in(hashes.slice(i, i + LOOKUP)),
          parts !== undefined && col('part').in(parts.map(BigInt)),
        ),
        columns: ['part', 'term', 'chunk', 'count', 'data'],
      });
      for (const row of rows) {
        const r = postingsRow(row);
        if (wanted.has(r.term)) out.push(r);
      }
    }
    return out;
  }

  /** Every postings row of a part (merging). */
  async partPostings(part: number): Promise<PostingsRow[]> {
    const rows = await this.db.select(ST.postings, { where: and(col('part').eq(BigInt(part))) });
    return rows.map(postingsRow);
  }

  /**
   * Indexed terms starting with `prefix` and how many postings each has, most first, at most
   * `limit` (a prefix query's expansion).
   */
  async termsWithPrefix(prefix: string, limit: number): Promise<{ term: string; count: number }[]> {
    const rows = await this.db.select(ST.postings, {
      where: and(col('term').startsWith(prefix)),
      columns: ['term', 'count'],
    });
    const counts = new Map<string, number>();
    for (const row of rows) {
      const term = reqStr(row, 'term');
      counts.set(term, (counts.get(term) ?? 0) + (num(row, 'count') ?? 0));
    }
    return [...counts]
      .map(([term, count]) => ({ term, count }))
      .sort((a, b) => b.count - a.count || (a.term < b.term ? -1 : 1))
      .slice(0, limit);
  }

  async parts(): Promise<PartInfo[]> {
    const rows = await this.db.select(ST.parts, { orderBy: [{ column: 'doc_first' }] });
    return rows.map((row) => ({
      part: num(row, 'part') ?? 0,
      doc_first: num(row, 'doc_first') ?? 0,
      doc_last: num(row, 'doc_last') ?? 0,
      docs: num(row, 'docs') ?? 0,
      tokens: num(row, 'tokens') ?? 0,
      created: date(row, 'created') ?? new Date(0),
    }));
  }

  async deleteParts(parts: readonly number[]): Promise<void> {
    if (parts.length === 0) return;
    const keys = parts.map(BigInt);
    await this.db.delete(ST.postings, and(col('part').in(keys)));
    await this.db.delete(ST.parts, and(col('part').in(keys)));
  }

  /** Empties the index (documents, parts, vectors, items, state): a rebuild starts from nothing. */
  async clear(): Promise<void> {
    const tables = [
      ST.postings,
      ST.parts,
      ST.vectors,
      ST.vectorsNew,
      ST.centroids,
      ST.docs,
      ST.items,
      ST.state,
    ];
    for (const table of tables) {
      await this.db.delete(table, and());
    }
  }

  async state(key: string): Promise<JsonValue | undefined> {
    const rows = await this.db.select(ST.state, { where: and(col('key').eq(key)), limit: 1 });
    const value = rows[0]?.value;
    return value === undefined || value === null ? undefined : (value as JsonValue);
  }

  /** Every state key at once (the indexer reads them together at the start of a batch). */
  async allState(): Promise<Map<string, JsonValue>> {
    const rows = await this.db.select(ST.state);
    return new Map(rows.map((r) => [reqStr(r, 'key'), (r.value ?? null) as JsonValue]));
  }

  /**
   * Sets state keys in place (an update, so that two writers of one key conflict at commit on a
   * shared database); a key not there yet is inserted.
   */
  async setState(values: Record<string, JsonValue>): Promise<void> {
    for (const [key, value] of Object.entries(values)) {
      const changed = await this.db.update(ST.state, and(col('key').eq(key)), { value });
      if (changed === 0) await this.db.insert(ST.state, [{ key, value }]);
    }
  }
}

function postingsRow(row: Row): PostingsRow {
  return {
    part: num(row, 'part') ?? 0,
    term: reqStr(row, 'term'),
    chunk: num(row, 'chunk') ?? 0,
    count: num(row, 'count') ?? 0,
    data: reqStr(row, 'data'),
  };
}
