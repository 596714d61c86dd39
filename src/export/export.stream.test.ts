import { once } from 'node:events';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ObjectStream } from '../media/media.copy.ts';
import type { ExportPart } from './export.plan.ts';
import { exportStream, type OpenObject } from './export.stream.ts';

const CHUNK = 64 * 1024;

function part(n: number): ExportPart {
  return { objectId: `o${n}`, storageId: 'b', path: `p/${n}`, timerange: `[${n}:0_${n + 1}:0)` };
}

/** Objects of `chunks` chunks each, recording what was opened, pulled and destroyed. */
function objects(chunks: number, options: { short?: number } = {}) {
  const log = { opened: [] as string[], pulled: 0, destroyed: [] as string[] };
  const open: OpenObject = async (p) => {
    log.opened.push(p.objectId);
    let left = chunks;
    const body = new Readable({
      read() {
        if (left === 0) return this.push(null);
        left--;
        log.pulled++;
        this.push(Buffer.alloc(CHUNK, p.objectId.charCodeAt(1)));
      },
      destroy(error, done) {
        log.destroyed.push(p.objectId);
        done(error);
      },
    });
    const stream: ObjectStream = { body, size: (options.short ?? chunks) * CHUNK };
    return stream;
  };
  return { open, log };
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('exportStream', () => {
  it('sends the objects one after another, opening each when the one before has ended', async () => {
    const { open, log } = objects(3);
    const bytes = await drain(exportStream([part(1), part(2)], open));
    expect(bytes.length).toBe(6 * CHUNK);
    expect(bytes.subarray(0, 3 * CHUNK).every((b) => b === '1'.charCodeAt(0))).toBe(true);
    expect(bytes.subarray(3 * CHUNK).every((b) => b === '2'.charCodeAt(0))).toBe(true);
    expect(log.opened).toEqual(['o1', 'o2']);
  });

  it('reads no further ahead than the consumer takes (back-pressure)', async () => {
    const { open, log } = objects(1000);
    const stream = exportStream([part(1)], open);
    // One chunk taken, then nothing: the source is not read to its end meanwhile.
    const first = (await stream[Symbol.asyncIterator]().next()).value as Buffer;
    expect(first.length).toBe(CHUNK);
    // The fake source answers at once: a hundred turns of the event loop let an unbounded reader
    // pull hundreds of chunks; a bounded one stops at its high-water mark (64 KiB here, a chunk).
    for (let turn = 0; turn < 100; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(log.pulled).toBeLessThanOrEqual(4);
    stream.destroy();
  });

  it('stops the read under way and opens no other object when destroyed (the client left)', async () => {
    const { open, log } = objects(1000);
    const stream = exportStream([part(1), part(2)], open);
    stream.once('data', () => stream.destroy());
    await once(stream, 'close');
    expect(log.destroyed).toEqual(['o1']);
    expect(log.opened).toEqual(['o1']);
    expect(log.pulled).toBeLessThan(1000);
  });

  it('errors where an object is missing, after the objects before it', async () => {
    const { open } = objects(1);
    const missing: OpenObject = async (p) => (p.objectId === 'o2' ? null : open(p));
    const stream = exportStream([part(1), part(2)], missing);
    const got: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => got.push(chunk));
    const [error] = (await once(stream, 'error')) as [Error];
    expect(error.message).toContain('Object o2');
    expect(Buffer.concat(got).length).toBe(CHUNK);
  });

  it('errors where an object ends short of its size, not ending as a whole file', async () => {
    const { open } = objects(2, { short: 3 });
    await expect(drain(exportStream([part(1)], open))).rejects.toThrow(
      'ended after 131072 of its 196608 bytes',
    );
  });
});
