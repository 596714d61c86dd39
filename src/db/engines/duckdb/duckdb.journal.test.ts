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
  it('keeps appended records across a reopen, and leaves nothing behind when closed empty', async () => {
    const path = join(dir, 'a.journal');
    const first = await JournalFile.open(path);
    expect(first.records).toEqual([]);
    first.file.append(frame(1n, 2));
    first.file.append(frame(2n, 1));
    first.file.close();
    const again = await JournalFile.open(path);
    expect(again.records.map((r) => r.lsn)).toEqual([1n, 2n]);
    again.file.reset();
    again.file.close();
    expect(existsSync(path)).toBe(false);
  });

  it('writes over the records before a reset, and reads back only those after it', async () => {
    const path = join(dir, 'c.journal');
    const { file } = await JournalFile.open(path);
    // Frames of one length: after a reset, the next cycle's records end exactly where an
    // older whole record begins, which only its lower LSN tells apart.
    const sizes = [frame(1n, 3), frame(2n, 3), frame(3n, 3), frame(4n, 3)].map((f) => f.length);
    expect(new Set(sizes).size).toBe(1);
    for (const lsn of [1n, 2n, 3n, 4n]) file.append(frame(lsn, 3));
    const grown = readFileSync(path).length;
    file.reset();
    file.append(frame(5n, 3));
    file.append(frame(6n, 3));
    expect(readFileSync(path).length).toBe(grown);
    expect(decodeRecords(readFileSync(path)).map((r) => r.lsn)).toEqual([5n, 6n]);
    // A shorter record leaves part of an older one behind it, where reading stops too.
    file.reset();
    file.append(frame(7n, 1));
    expect(decodeRecords(readFileSync(path)).map((r) => r.lsn)).toEqual([7n]);
    // Not reset: the records after a reopen are the cycle's own, and appends follow them.
    const reopened = await (async () => {
      file.append(frame(8n, 1));
      file.close();
      return JournalFile.open(path);
    })();
    expect(reopened.records.map((r) => r.lsn)).toEqual([7n, 8n]);
    reopened.file.append(frame(9n, 2));
    reopened.file.close();
    expect((await JournalFile.open(path)).records.map((r) => r.lsn)).toEqual([7n, 8n, 9n]);
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
