import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SnapshotFiles } from './snapshot.files.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function filesWith(contents: Record<string, Uint8Array>): SnapshotFiles {
  const dir = mkdtempSync(join(tmpdir(), 'tams-snapshot-files-'));
  dirs.push(dir);
  for (const [flowId, bytes] of Object.entries(contents)) writeFileSync(join(dir, `${flowId}.tsi`), bytes);
  return SnapshotFiles.open(dir);
}

const bytesOf = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 7 + seed) % 251);

describe('SnapshotFiles.readInto', () => {
  it('reads each file whole, into the buffer given when it fits and a larger one when not', async () => {
    const large = bytesOf(300_000, 1);
    const small = bytesOf(1_000, 2);
    const files = filesWith({ 'flow-large': large, 'flow-small': small });
    const first = await files.readInto('flow-small', Buffer.alloc(0));
    expect(first && new Uint8Array(first.bytes)).toEqual(small);
    const grown = await files.readInto('flow-large', first?.buffer as Buffer);
    expect(grown?.buffer).not.toBe(first?.buffer);
    expect(grown && new Uint8Array(grown.bytes)).toEqual(large);
    // The grown buffer is reused: the bytes are exactly the small file's, not a tail of the large.
    const again = await files.readInto('flow-small', grown?.buffer as Buffer);
    expect(again?.buffer).toBe(grown?.buffer);
    expect(again && new Uint8Array(again.bytes)).toEqual(small);
  });

  it('reads nothing for a Flow without a file, or whose file went', async () => {
    const files = filesWith({ gone: bytesOf(10, 3) });
    expect(await files.readInto('never', Buffer.alloc(16))).toBeUndefined();
    rmSync(join(files.dir, 'gone.tsi'));
    expect(await files.readInto('gone', Buffer.alloc(16))).toBeUndefined();
  });
});
