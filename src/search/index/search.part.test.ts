import { describe, expect, it } from 'vitest';
import { CELL_MAX_BYTES } from '../../common/cells.ts';
import { decodePostings } from '../store/search.codec.ts';
import { PartBuilder } from './search.part.ts';

describe('a part of the inverted index', () => {
  it("splits a term's postings over rows that each fit in one cell, none lost", () => {
    // A term in 20,000 documents far apart: 16 characters a posting, a row of 16,384 would be
    // 262,144 characters, twice what one cell holds.
    const builder = new PartBuilder();
    const docs = Array.from({ length: 20_000 }, (_, i) => 2 ** 40 + i * 2 ** 36);
    for (const doc of docs) builder.add(doc, new Map([['common', 9000]]), 9000);
    const { rows } = builder.build(1, new Date(0));
    expect(rows.length).toBeGreaterThan(2);
    expect(rows.map((r) => r.chunk)).toEqual(rows.map((_, i) => i));
    const decoded: number[] = [];
    for (const row of rows) {
      expect(row.data.length).toBeLessThanOrEqual(CELL_MAX_BYTES);
      let n = 0;
      decodePostings(row.data, (doc) => {
        decoded.push(doc);
        n++;
      });
      expect(n).toBe(row.count);
    }
    expect(decoded).toEqual(docs);
  });
});
