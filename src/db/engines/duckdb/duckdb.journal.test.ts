import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BLOCK, BLOCK_DATA, encodeRecord, frameRecord, type JournalRecord } from './duckdb.journal.format.ts';
import { damageMessage } from './duckdb.journal.report.ts';
import { scanJournal } from './duckdb.journal.scan.ts';
import { JournalFile, joinArrayBytes } from './duckdb.journal.ts';

const dir = await mkdtemp(join(tmpdir(), 'tams-journal-'));
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tables = (rows: number, label: string) =>
  new Map([
    ['segments', { text: JSON.stringify(Array.from({ length: rows }, (_, i) => ({ i, label }))), rows }],
    ['events', { text: '[{"seq":1}]', rows: 1 }],
  ]);
const record = (lsn: bigint, rows: number, label = 'x'): JournalRecord =>
  encodeRecord(lsn, tables(rows, label));
const frame = (lsn: bigint, rows: number, label = 'x') => frameRecord(record(lsn, rows, label));
const file = (...frames: Buffer[]) => Buffer.concat(frames);
const lsns = (records: readonly JournalRecord[]) => records.map((r) => r.lsn);

const plain = (r: JournalRecord) => ({
  lsn: r.lsn,
  tables: [...r.tables].map(([name, { bytes, rows }]) => [name, bytes.toString('utf8'), rows]),
});

/** `bytes` with the byte at `at` changed (XOR 0x5a). */
function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0x5a;
  return copy;
}

describe('append journal records (blocks)', () => {
  it('decode what encode wrote, table by table, with text of any script', () => {
    const records = [record(1n, 3), record(2n, 1, 'é—𝄞'), record(3n, 0), record(4n, 400)];
    const scan = scanJournal(file(...records.map(frameRecord)), 0n);
    expect(scan.records.map(plain)).toEqual(records.map(plain));
    expect(scan).toMatchObject({ damaged: [], torn: undefined, beyond: [], maxLsn: 4n });
    expect(plain(records[1] as JournalRecord).tables[0]).toEqual(['segments', '[{"i":0,"label":"é—𝄞"}]', 1]);
    // Whole blocks: the data blocks and one parity block.
    expect(frameRecord(records[3] as JournalRecord).length % BLOCK).toBe(0);
  });

  it('skip the records DuckDB holds already (at or below the marker)', () => {
    const scan = scanJournal(file(frame(1n, 1), frame(2n, 1), frame(3n, 1)), 2n);
    expect(lsns(scan.records)).toEqual([3n]);
  });

  it('drop the last record when a crash cut it at a block boundary: it was never acknowledged', () => {
    const last = frame(3n, 80);
    expect(last.length / BLOCK).toBeGreaterThan(3);
    for (const blocks of [1, 2, last.length / BLOCK - 1]) {
      const scan = scanJournal(file(frame(1n, 2), frame(2n, 2), last.subarray(0, blocks * BLOCK)), 0n);
      expect(lsns(scan.records)).toEqual([1n, 2n]);
      expect(scan.damaged).toEqual([]);
      expect(scan.torn).toMatchObject({ lsn: 3n, readable: blocks, total: last.length / BLOCK });
      // Numbered above it: the dropped LSN is not taken again.
      expect(scan.maxLsn).toBe(3n);
    }
  });

  it('drop the last record whose blocks reached the disk in any order, over zeros or older blocks', () => {
    const old = file(frame(1n, 40, 'old'), frame(2n, 40, 'old'));
    const last = frame(9n, 30);
    const n = last.length / BLOCK;
    const run = frame(8n, 1);
    // Every second block of the last record written, the others still the older run's (or zeros).
    for (const under of [old, Buffer.alloc(old.length)]) {
      const bytes = Buffer.from(under);
      run.copy(bytes, 0);
      for (let i = 0; i < n; i += 2) last.copy(bytes, run.length + i * BLOCK, i * BLOCK, (i + 1) * BLOCK);
      const scan = scanJournal(bytes, 7n);
      expect(lsns(scan.records)).toEqual([8n]);
      expect(scan.damaged).toEqual([]);
      expect(scan.torn).toMatchObject({ lsn: 9n, offset: run.length, readable: Math.ceil(n / 2) });
    }
  });

  it('take a failed append written over by the next, and that one cut short, as never acknowledged', () => {
    // The failed append's first block was zeroed, its others stayed; the next took its LSN and place.
    const failed = Buffer.from(frame(3n, 30, 'failed'));
    failed.fill(0, 0, BLOCK);
    const retry = frame(3n, 10, 'retry');
    const bytes = file(frame(1n, 1), frame(2n, 1), failed);
    retry.copy(bytes, frame(1n, 1).length * 2, 0, BLOCK);
    const scan = scanJournal(bytes, 0n);
    expect(scan.damaged).toEqual([]);
    expect(scan.torn?.lsn).toBe(3n);
    expect(lsns(scan.records)).toEqual([1n, 2n]);
  });

  it('read the run written over an older one, and stop where the older blocks begin', () => {
    const older = file(frame(1n, 30), frame(2n, 30), frame(3n, 30));
    const bytes = Buffer.from(older);
    file(frame(4n, 2), frame(5n, 2)).copy(bytes, 0);
    const scan = scanJournal(bytes, 3n);
    expect(lsns(scan.records)).toEqual([4n, 5n]);
    expect(scan).toMatchObject({ damaged: [], torn: undefined, beyond: [], end: frame(4n, 2).length * 2 });
  });

  it('find a record damaged in the middle (a flipped byte), with the records after it, and rebuild it', () => {
    const frames = [frame(1n, 2), frame(2n, 20), frame(3n, 2), frame(4n, 2)];
    const offset = (frames[0] as Buffer).length;
    const bytes = flip(file(...frames), offset + BLOCK + 100);
    const scan = scanJournal(bytes, 0n);
    expect(lsns(scan.records)).toEqual([1n]);
    expect(lsns(scan.beyond)).toEqual([3n, 4n]);
    expect(scan.damaged).toHaveLength(1);
    const [damaged] = scan.damaged;
    expect(damaged).toMatchObject({
      offset,
      lsn: 2n,
      tables: [
        { name: 'segments', rows: 20 },
        { name: 'events', rows: 1 },
      ],
    });
    expect(damaged?.repaired && plain(damaged.repaired)).toEqual(plain(record(2n, 20)));
    const message = damageMessage('/data/tams.duckdb.journal', scan);
    expect(message).toContain('/data/tams.duckdb.journal');
    expect(message).toContain(`record 2 at byte ${offset}`);
    expect(message).toContain('20 rows of segments');
    expect(message).toContain('2 intact records (4 rows of segments, 2 of events)');
    expect(message).toContain('tams-mgmt journal recover');
  });

  it('find the last record damaged, at its tail (the file cut 7 bytes short) or by a flipped byte', () => {
    const frames = [frame(1n, 2), frame(2n, 2), frame(3n, 20)];
    const whole = file(...frames);
    for (const bytes of [whole.subarray(0, whole.length - 7), flip(whole, whole.length - 300)]) {
      const scan = scanJournal(bytes, 0n);
      expect(scan.torn).toBeUndefined();
      expect(lsns(scan.records)).toEqual([1n, 2n]);
      expect(scan.damaged.map((d) => d.lsn)).toEqual([3n]);
      expect(scan.damaged[0]?.repaired && plain(scan.damaged[0].repaired)).toEqual(plain(record(3n, 20)));
    }
    // The file cut inside the last record's first block: nothing of it is readable, but a crash
    // never leaves a file ending inside a block.
    const cut = whole.subarray(0, whole.length - (frames[2] as Buffer).length + 100);
    expect(scanJournal(cut, 0n).damaged).toMatchObject([{ offset: cut.length - 100 }]);
  });

  it('cannot rebuild a record with two damaged blocks, and keeps their readable parts', () => {
    const frames = [frame(1n, 2), frame(2n, 30), frame(3n, 2)];
    const offset = (frames[0] as Buffer).length;
    const bytes = flip(flip(file(...frames), offset + 10), offset + 2 * BLOCK + 10);
    const scan = scanJournal(bytes, 0n);
    expect(scan.damaged).toMatchObject([
      { offset, lsn: 2n, blocks: { total: (frames[1] as Buffer).length / BLOCK } },
    ]);
    expect(scan.damaged[0]?.repaired).toBeUndefined();
    expect(scan.damaged[0]?.tables).toBeUndefined();
    expect(scan.damaged[0]?.fragments.map((f) => f.toString('utf8')).join('')).toContain('"label":"x"');
    expect(lsns(scan.beyond)).toEqual([3n]);
  });

  it('find a record wholly gone (zeroed) between records, by its missing LSN', () => {
    const frames = [frame(1n, 2), frame(2n, 2), frame(3n, 2)];
    const bytes = file(...frames);
    bytes.fill(0, (frames[0] as Buffer).length, (frames[0] as Buffer).length * 2);
    const scan = scanJournal(bytes, 0n);
    expect(scan.damaged).toEqual([{ offset: (frames[0] as Buffer).length, lsn: 2n, fragments: [] }]);
    expect(lsns(scan.beyond)).toEqual([3n]);
  });

  it('pass over damage to older blocks DuckDB holds (beyond the run)', () => {
    const older = file(frame(1n, 30), frame(2n, 30));
    const bytes = flip(older, older.length - 200);
    file(frame(3n, 2)).copy(bytes, 0);
    const scan = scanJournal(bytes, 2n);
    expect(lsns(scan.records)).toEqual([3n]);
    expect(scan.damaged).toEqual([]);
  });

  it('refuse a rebuild that does not match the record checksum', () => {
    const one = Buffer.from(frame(1n, 20));
    // Damaged twice in different blocks, one of them the parity block: no rebuild passes.
    const bytes = flip(flip(file(one, frame(2n, 1)), 30), one.length - BLOCK + 40);
    expect(scanJournal(bytes, 0n).damaged[0]?.repaired).toBeUndefined();
    expect(BLOCK_DATA % 4).toBe(0);
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
    const first = await JournalFile.open(path, 0n);
    expect(first.scan.records).toEqual([]);
    first.file.append(frame(1n, 2));
    first.file.append(frame(2n, 1));
    first.file.close();
    const again = await JournalFile.open(path, 0n);
    expect(lsns(again.scan.records)).toEqual([1n, 2n]);
    again.file.reset();
    again.file.close();
    expect(existsSync(path)).toBe(false);
  });

  it('writes over the records before a reset, and reads back only those after it', async () => {
    const path = join(dir, 'c.journal');
    const { file: journal } = await JournalFile.open(path, 0n);
    const sizes = [frame(1n, 3), frame(2n, 3), frame(3n, 3), frame(4n, 3)].map((f) => f.length);
    expect(new Set(sizes).size).toBe(1);
    for (const lsn of [1n, 2n, 3n, 4n]) journal.append(frame(lsn, 3));
    const grown = readFileSync(path).length;
    journal.reset();
    journal.append(frame(5n, 3));
    journal.append(frame(6n, 3));
    expect(readFileSync(path).length).toBe(grown);
    expect(lsns(scanJournal(readFileSync(path), 4n).records)).toEqual([5n, 6n]);
    // A shorter record leaves part of an older one behind it, where reading stops too.
    journal.reset();
    journal.append(frame(7n, 1));
    expect(scanJournal(readFileSync(path), 6n)).toMatchObject({ damaged: [], torn: undefined });
    expect(lsns(scanJournal(readFileSync(path), 6n).records)).toEqual([7n]);
    journal.append(frame(8n, 1));
    journal.close();
    const reopened = await JournalFile.open(path, 6n);
    expect(lsns(reopened.scan.records)).toEqual([7n, 8n]);
    reopened.file.append(frame(9n, 2));
    reopened.file.close();
    expect(lsns((await JournalFile.open(path, 6n)).scan.records)).toEqual([7n, 8n, 9n]);
  });

  it('is emptied by clear (after an open applied it), and appends start at its beginning', async () => {
    const path = join(dir, 'b.journal');
    writeFileSync(path, file(frame(1n, 2), frame(2n, 2).subarray(0, BLOCK)));
    const opened = await JournalFile.open(path, 0n);
    expect(lsns(opened.scan.records)).toEqual([1n]);
    expect(opened.scan.torn?.lsn).toBe(2n);
    opened.file.clear();
    expect(readFileSync(path).length).toBe(0);
    opened.file.append(frame(3n, 1));
    opened.file.close();
    expect(lsns((await JournalFile.open(path, 2n)).scan.records)).toEqual([3n]);
  });
});
