import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Buckets a backup's object lists are split into by key, so that each is joined one bucket at a
 * time: what the snapshot names, what the media directory holds, what the previous backup has. A
 * store of 10M objects is ~160,000 keys a bucket (~16 MB of maps), not 10M in memory at once.
 */
export const BUCKETS = 64;
/** Text held for one bucket before it is written out. */
const FLUSH_AT = 1 << 18;

/** FNV-1a of the key, to a bucket: every list puts the same key in the same bucket. */
export function bucketOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % BUCKETS;
}

/**
 * One list split into BUCKETS files (`<dir>/<name>.<n>`), a line `<key>` or `<key>\t<value>` each.
 * Keys carry no tab or newline (the storage id and key, themselves tab-joined, come from fs
 * backends' configured ids and valid storage paths); values none either (JSON escapes them).
 */
export class BucketedList {
  private readonly pending: string[] = Array.from({ length: BUCKETS }, () => '');
  private files: FileHandle[] | undefined;

  constructor(
    private readonly dir: string,
    private readonly name: string,
  ) {}

  private path(bucket: number): string {
    return join(this.dir, `${this.name}.${bucket}`);
  }

  private async open(): Promise<FileHandle[]> {
    if (this.files === undefined) {
      await mkdir(this.dir, { recursive: true });
      const files: FileHandle[] = [];
      try {
        for (let b = 0; b < BUCKETS; b++) files.push(await open(this.path(b), 'wx'));
      } catch (error) {
        await Promise.all(files.map((f) => f.close()));
        throw error;
      }
      this.files = files;
    }
    return this.files;
  }

  async add(key: string, value?: string): Promise<void> {
    const b = bucketOf(key);
    this.pending[b] += value === undefined ? `${key}\n` : `${key}\t${value}\n`;
    if ((this.pending[b] as string).length >= FLUSH_AT) await this.flush(b);
  }

  private async flush(bucket: number): Promise<void> {
    const text = this.pending[bucket] as string;
    if (text === '') return;
    this.pending[bucket] = '';
    const files = await this.open();
    await (files[bucket] as FileHandle).write(text);
  }

  /** Writes out what is held and closes the files; the list is then read bucket by bucket. */
  async close(): Promise<void> {
    try {
      for (let b = 0; b < BUCKETS; b++) await this.flush(b);
    } finally {
      await Promise.all((this.files ?? []).map((f) => f.close()));
    }
  }

  /** The lines of one bucket, split at the key's end: [key, value] ('' where none). */
  async *read(bucket: number): AsyncGenerator<[string, string]> {
    if (this.files === undefined) return;
    const lines = createInterface({
      input: createReadStream(this.path(bucket)),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const line of lines) {
      if (line === '') continue;
      // The key is the storage id, a tab, the storage path: the value starts after a second tab.
      const first = line.indexOf('\t');
      const second = first < 0 ? -1 : line.indexOf('\t', first + 1);
      yield second < 0 ? [line, ''] : [line.slice(0, second), line.slice(second + 1)];
    }
  }
}
