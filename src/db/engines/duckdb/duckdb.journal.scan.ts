import {
  assemblePayload,
  BLOCK,
  type Block,
  blockData,
  claimedLsn,
  dataBlocks,
  decodePayload,
  type JournalRecord,
  payloadHeader,
  readBlock,
} from './duckdb.journal.format.ts';

/**
 * What a journal file holds, read by the rules of duckdb.journal.format.ts: the records from its
 * start, each after the one before (the current run of appends, until what is left of older
 * runs); then the blocks of records above those and above what DuckDB holds (`marker`), which
 * exist only if a record of the run was damaged, or the last one was being written when the
 * process stopped.
 *
 * The last record is torn (never acknowledged: its append had not returned) when its blocks
 * start where the run stops, no record follows it, and each of its blocks holds its own bytes
 * or what a crash leaves (zeros, an older record's block, nothing past the file's end). Anything
 * else above the marker that is not whole is damage to acknowledged data: a block whose
 * checksum fails, a file ending inside a block, a record followed by a later one, an LSN missing
 * between the run and a later record (each run numbers its records one by one).
 */

export interface DamagedRecord {
  /** Byte offset of its first block (undefined: none of its blocks was found). */
  readonly offset?: number;
  /** Undefined: nothing readable says which record was there. */
  readonly lsn?: bigint;
  /** Its blocks (data and parity) and how many of them are readable. */
  readonly blocks?: { readonly readable: number; readonly total: number };
  /** The tables it holds rows for, when its first block (or its repair) says. */
  readonly tables?: readonly { readonly name: string; readonly rows: number }[];
  /** The record rebuilt from its parity block (one block was unreadable). */
  readonly repaired?: JournalRecord;
  /** The readable data parts of its blocks (for the recovery's report when it cannot be rebuilt). */
  readonly fragments: readonly Buffer[];
}

export interface JournalScan {
  /** The run's whole records above the marker, in order: what a start applies. */
  readonly records: JournalRecord[];
  /** Byte offset where the run's records end. */
  readonly end: number;
  /** The highest LSN on disk or in DuckDB: the next record is numbered above it. */
  readonly maxLsn: bigint;
  /** The last record, never completed before the process stopped: dropped (never acknowledged). */
  readonly torn?: {
    readonly offset: number;
    readonly lsn: bigint;
    readonly readable: number;
    readonly total: number;
  };
  /** Damaged acknowledged records: a start refuses the journal, a recovery rebuilds what it can. */
  readonly damaged: readonly DamagedRecord[];
  /** Whole records above the marker after the damage (those a start that stopped at it would lose). */
  readonly beyond: JournalRecord[];
}

/** Reads a journal file's bytes; `marker`: the last record DuckDB holds. */
export function scanJournal(bytes: Buffer, marker: bigint): JournalScan {
  return new BlockScan(bytes, marker).scan();
}

type RecordBlock = Extract<Block, { kind: 'record' }>;

/** The blocks found of one record: same LSN, length, checksum and start. */
interface Group {
  readonly lsn: bigint;
  readonly length: number;
  readonly payloadCrc: number;
  /** Position (in blocks) of its first block. */
  readonly start: number;
  readonly total: number;
  /** Data parts by block index. */
  readonly parts: (Buffer | undefined)[];
}

class BlockScan {
  private readonly blocks = new Map<number, Block>();

  constructor(
    private readonly bytes: Buffer,
    private readonly marker: bigint,
  ) {}

  scan(): JournalScan {
    const run: JournalRecord[] = [];
    let position = 0;
    let last = -1n;
    for (;;) {
      const whole = this.wholeAt(position);
      if (whole === undefined || whole.record.lsn <= last) break;
      run.push(whole.record);
      last = whole.record.lsn;
      position += whole.total;
    }
    const end = position;
    const threshold = last > this.marker ? last : this.marker;
    const groups = this.groupsAbove(threshold, end);
    let maxLsn = threshold;
    for (const g of groups) if (g.lsn > maxLsn) maxLsn = g.lsn;

    // Where the last append began: after the run, or after the record before it found beyond.
    const starts = new Set([
      end,
      ...groups.filter((g) => g.lsn === maxLsn - 1n).map((g) => g.start + g.total),
    ]);
    const torn = groups.filter((g) => g.lsn === maxLsn && starts.has(g.start) && this.tornAt(g, threshold));
    const rest = groups.filter((g) => !torn.includes(g));
    const beyond: JournalRecord[] = [];
    const damaged: DamagedRecord[] = [];
    for (const g of rest) {
      const record = whole(g);
      if (record) beyond.push(record);
      else damaged.push(describe(g));
    }
    damaged.push(...this.unreadable(end, threshold, maxLsn, groups));
    const first = torn[0];
    return {
      records: run.filter((r) => r.lsn > this.marker),
      end: end * BLOCK,
      maxLsn,
      torn:
        first === undefined
          ? undefined
          : {
              offset: first.start * BLOCK,
              lsn: first.lsn,
              readable: first.parts.filter((p) => p !== undefined).length,
              total: first.total,
            },
      damaged: damaged.sort(
        (a, b) => (a.offset ?? Number.MAX_SAFE_INTEGER) - (b.offset ?? Number.MAX_SAFE_INTEGER),
      ),
      beyond: beyond.sort((a, b) => (a.lsn < b.lsn ? -1 : 1)),
    };
  }

  private block(position: number): Block {
    let block = this.blocks.get(position);
    if (block === undefined) {
      block = readBlock(this.bytes, position);
      this.blocks.set(position, block);
    }
    return block;
  }

  /** The whole record whose first block is at `position`, if every block of it is there. */
  private wholeAt(position: number): { record: JournalRecord; total: number } | undefined {
    const first = this.block(position);
    if (first.kind !== 'record' || first.index !== 0) return undefined;
    const total = dataBlocks(first.length) + 1;
    const parts: Buffer[] = [];
    for (let i = 0; i < total; i++) {
      const b = this.block(position + i);
      if (!sameRecord(b, first) || b.index !== i) return undefined;
      parts.push(blockData(this.bytes, position + i));
    }
    const payload = assemblePayload(parts, first.length, first.payloadCrc);
    const record = payload && decodePayload(first.lsn, payload);
    return record ? { record, total } : undefined;
  }

  /** The blocks above `threshold` from `from` on, gathered by record. */
  private groupsAbove(threshold: bigint, from: number): Group[] {
    const groups = new Map<string, Group>();
    const count = Math.ceil(this.bytes.length / BLOCK);
    for (let p = from; p < count; p++) {
      // Older blocks (most of a file written over from its start) are passed over unchecked.
      if (claimedLsn(this.bytes, p) <= threshold) continue;
      const b = this.block(p);
      if (b.kind !== 'record' || b.lsn <= threshold) continue;
      const start = p - b.index;
      const key = `${b.lsn}:${b.length}:${b.payloadCrc}:${start}`;
      let group = groups.get(key);
      if (group === undefined) {
        const total = dataBlocks(b.length) + 1;
        group = {
          lsn: b.lsn,
          length: b.length,
          payloadCrc: b.payloadCrc,
          start,
          total,
          parts: Array.from({ length: total }, () => undefined),
        };
        groups.set(key, group);
      }
      group.parts[b.index] = blockData(this.bytes, p);
    }
    return [...groups.values()];
  }

  /**
   * Whether `g` (which starts where the last append began) is what a crash leaves of it: each
   * of its blocks holds its bytes, zeros, an older block (at or below `threshold`, or another
   * record of its own LSN: an append that failed and was written over) or nothing (the file's end).
   */
  private tornAt(g: Group, threshold: bigint): boolean {
    if (whole(g) !== undefined) return false;
    for (let i = 0; i < g.total; i++) {
      if (g.parts[i] !== undefined) continue;
      const b = this.block(g.start + i);
      const older = b.kind === 'record' && (b.lsn <= threshold || b.lsn === g.lsn);
      if (!(older || b.kind === 'zero' || b.kind === 'eof')) return false;
    }
    return true;
  }

  /**
   * Records of which no block was found, where something shows one was there: the run stops at
   * a block no crash leaves (damaged, or a file cut inside it) with no record found starting
   * there, or at anything while later records exist; and LSNs missing between the run and the
   * highest record found.
   */
  private unreadable(
    end: number,
    threshold: bigint,
    maxLsn: bigint,
    groups: readonly Group[],
  ): DamagedRecord[] {
    const found = new Set(groups.map((g) => g.lsn));
    const missing: bigint[] = [];
    for (let lsn = threshold + 1n; lsn < maxLsn && missing.length < 1000; lsn++)
      if (!found.has(lsn)) missing.push(lsn);
    const atEnd = this.block(end);
    const startsAtEnd = groups.some((g) => g.start === end);
    const stopped =
      !startsAtEnd &&
      (atEnd.kind === 'bad' || atEnd.kind === 'partial' || groups.some((g) => g.lsn < maxLsn || whole(g)));
    const result: DamagedRecord[] = missing.map((lsn) => ({ lsn, fragments: [] }));
    if (stopped) {
      // The record the run stops at is the first LSN missing, when one is.
      const first = result.shift();
      result.unshift({ offset: end * BLOCK, lsn: first?.lsn, fragments: [] });
    }
    return result;
  }
}

function sameRecord(b: Block, first: RecordBlock): b is RecordBlock {
  return (
    b.kind === 'record' &&
    b.lsn === first.lsn &&
    b.length === first.length &&
    b.payloadCrc === first.payloadCrc
  );
}

/** The group's record when its blocks make one: all there, or all but one (rebuilt from parity). */
function whole(g: Group): JournalRecord | undefined {
  if (g.parts.some((p) => p === undefined)) return undefined;
  const payload = assemblePayload(g.parts, g.length, g.payloadCrc);
  return payload && decodePayload(g.lsn, payload);
}

function describe(g: Group): DamagedRecord {
  const payload = assemblePayload(g.parts, g.length, g.payloadCrc);
  const repaired = payload && decodePayload(g.lsn, payload);
  const head = repaired?.payload ?? g.parts[0];
  const header = head && payloadHeader(head);
  return {
    offset: g.start * BLOCK,
    lsn: g.lsn,
    blocks: { readable: g.parts.filter((p) => p !== undefined).length, total: g.total },
    tables: header?.tables.map((t) => ({ name: t.name, rows: t.rows })),
    repaired,
    fragments: g.parts.filter((p) => p !== undefined),
  };
}
