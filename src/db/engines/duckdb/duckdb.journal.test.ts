import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeRecords,
  encodeRecord,
  JournalFile,
  type JournalRecord,
  joinArrayBytes,
} from './duckdb.journal.ts';

const dir = await mkdtemp(join(tmpdir(), 'tams-journal-'));
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = (lsn: bigint, rows: number, label = 'x'): JournalRecord =>
  encodeRecord(
    lsn,
    new Map([
      ['segments', { text: JSON.stringify(Array.from({ length: rows }, (_, i) => ({ i, label }))), rows }],
      ['events', { text: '[{"seq":1}]', rows: 1 }],
    ]),
  );
const frame = (lsn: bigint, rows: number, label = 'x') => record(lsn, rows, label).frame;

const plain = (r: JournalRecord) => ({
  lsn: r.lsn,
  tables: [...r.tables].map(([name, { bytes, rows }]) => [name, bytes.toString('utf8'), rows]),
});

describe('append journal records', () => {
  it('decode what encode wrote, table by table, with text of any script', () => {
    const records = [record(1n, 3), record(2n, 1, 'é—𝄞'), record(7n, 0)];
    const bytes = Buffer.concat(records.map((r) => r.frame));
    expect(decodeRecords(bytes).map(plain)).toEqual(records.map(plain));
    expect(plain(records[1] as JournalRecord).tables[0]).toEqual(['segments', '[{"i":0,"label":"é—𝄞"}]', 1]);
  });

  it('stop at a record cut short, keeping the whole ones before it', () => {
    const bytes = Buffer.concat([frame(1n, 2), frame(2n, 2)]);
    for (const cut of [1, 8, 20, bytes.length - frame(2n, 2).length + 11, bytes.length - 1]) {
      const decoded = decodeRecords(bytes.subarray(0, cut));
      expect(decoded.length).toBeLessThan(2);
      if (decoded.length === 1) expect(decoded[0]?.lsn).toBe(1n);
    }
  });

  it('stop at a record whose bytes do not match its checksum', () => {
    const second = Buffer.from(frame(2n, 2));
    second[second.length - 3] = (second[second.length - 3] ?? 0) ^ 0x20;
    expect(decodeRecords(Buffer.concat([frame(1n, 2), second, frame(3n, 1)])).map((r) => r.lsn)).toEqual([
      1n,
    ]);
  });

  it('stop at a record that does not come after the one before (an old tail an unsynced truncation left)', () => {
    const bytes = Buffer.concat([frame(5n, 1), frame(6n, 1), frame(2n, 1), frame(7n, 1)]);
    expect(decodeRecords(bytes).map((r) => r.lsn)).toEqual([5n, 6n]);
  });
});

describe('JSON arrays joined as bytes', () => {
  it('make one array of their elements, skipping empty ones', () => {
    const join = (...texts: string[]) => joinArrayBytes(texts.map((t) => Buffer.from(t))).toString();
    expect(join('[1,2]', '[]', '[{"a":"é"}]')).toBe('[1,2,{"a":"é"}]');
    expect(join('[3]')).toBe('[3]');
    expect(join('[]', '[]')).toBe('[]');
    expect(JSON.parse(join('[{"x":[1]}]', '["]"]'))).toEqual([{ x: [1] }, ']']);
  });
});

describe('append journal file', () => {
  it('keeps appended records across a reopen, empties on reset, and leaves nothing behind when closed empty', async () => {
    const path = join(dir, 'a.journal');
    const first = await JournalFile.open(path);
    expect(first.records).toEqual([]);
    first.file.append(frame(1n, 2));
    first.file.append(frame(2n, 1));
    first.file.close();
    const again = await JournalFile.open(path);
    expect(again.records.map((r) => r.lsn)).toEqual([1n, 2n]);
    again.file.reset();
    expect(readFileSync(path).length).toBe(0);
    again.file.close();
    expect(existsSync(path)).toBe(false);
  });

  it('appends after a torn tail are read back (the tail is what opening skips)', async () => {
    const path = join(dir, 'b.journal');
    writeFileSync(path, Buffer.concat([frame(1n, 2), frame(2n, 2).subarray(0, 10)]));
    const opened = await JournalFile.open(path);
    expect(opened.records.map((r) => r.lsn)).toEqual([1n]);
    // The engine applies what it read and resets before it appends again.
    opened.file.reset();
    opened.file.append(frame(3n, 1));
    opened.file.close();
    expect((await JournalFile.open(path)).records.map((r) => r.lsn)).toEqual([3n]);
  });
});
