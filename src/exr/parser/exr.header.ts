import { decodeValue } from './exr.attributes.ts';
import { ExrParseError } from './exr.errors.ts';
import type { ExrBudget, ExrLimits } from './exr.limits.ts';
import { ExrReader, NeedMoreBytes } from './exr.reader.ts';
import { checkStandard } from './exr.required.ts';
import type { ExrAttribute, ExrVersion } from './exr.types.ts';
import { checkMagic, checkVersion, decodeVersionField } from './exr.version.ts';

export interface RawPart {
  index: number;
  headerStart: number;
  headerEnd: number;
  attributes: ExrAttribute[];
}

export interface RawHeader {
  version: ExrVersion;
  parts: RawPart[];
  headerEnd: number;
}

/** What the parse is in the middle of, for the message when the bytes run out there. */
interface Progress {
  reading: string;
}

interface PartContext {
  bytes: Uint8Array;
  r: ExrReader;
  progress: Progress;
  maxName: number;
  limits: ExrLimits;
  budget: ExrBudget;
}

function fail(
  code: 'EMPTY_NAME' | 'BAD_SIZE',
  at: number,
  message: string,
  part: number,
  attribute: string,
): never {
  throw new ExrParseError(code, at, message, { part, attribute });
}

/** One part's attributes up to the null byte that ends them. */
function readPart(ctx: PartContext, index: number): RawPart {
  const { r, progress, maxName, limits, budget } = ctx;
  const headerStart = r.pos;
  const attributes: ExrAttribute[] = [];
  const seen = new Set<string>();
  while (r.peek() !== 0) {
    const offset = r.pos;
    progress.reading = `an attribute name of part ${index}`;
    const name = r.name(maxName, 'attribute name');
    progress.reading = `the type of attribute '${name}'`;
    const type = r.name(maxName, `type of attribute '${name}'`);
    if (type === '') fail('EMPTY_NAME', r.pos - 1, `attribute '${name}' has an empty type`, index, name);
    progress.reading = `the size of attribute '${name}'`;
    const size = r.i32();
    if (size < 0) fail('BAD_SIZE', r.pos - 4, `attribute '${name}' has negative size ${size}`, index, name);
    if (++budget.attributes > limits.maxAttributes) {
      throw new ExrParseError('LIMIT_EXCEEDED', offset, `more than ${limits.maxAttributes} attributes`, {
        part: index,
      });
    }
    checkStandard(name, type, offset, seen, index);
    progress.reading = `the ${size}-byte value of attribute '${name}'`;
    const start = r.pos;
    r.need(size);
    r.pos += size;
    const value = decodeValue(ctx.bytes, { part: index, name, type, size, start, maxName, limits, budget });
    // The value's type follows `type` at run time (decodeValue's table), which TS cannot see.
    attributes.push({ name, type, size, offset, value } as ExrAttribute);
  }
  r.pos += 1;
  return { index, headerStart, headerEnd: r.pos, attributes };
}

/**
 * Reads magic, version field and every part's attributes from `bytes`, the start of a file of
 * `fileSize` bytes (undefined: not known yet). Running out of bytes is truncation when the file
 * ends there; otherwise it throws NeedMoreBytes for the caller to fetch more and try again.
 */
export function readHeader(bytes: Uint8Array, fileSize: number | undefined, limits: ExrLimits): RawHeader {
  const progress: Progress = { reading: 'the magic number' };
  const r = new ExrReader(bytes, 0, Math.min(bytes.length, limits.maxHeaderBytes), (at, wanted) => {
    const end = at + wanted;
    if (fileSize !== undefined && end > fileSize) {
      throw new ExrParseError(
        'TRUNCATED',
        at,
        `the file ends at byte ${fileSize}, inside ${progress.reading}`,
      );
    }
    if (end > limits.maxHeaderBytes) {
      throw new ExrParseError(
        'HEADER_TOO_LARGE',
        at,
        `${progress.reading} runs past ${limits.maxHeaderBytes} bytes, the most a header may have`,
      );
    }
    throw new NeedMoreBytes(end);
  });

  checkMagic(r.u32());
  progress.reading = 'the version field';
  const version = decodeVersionField(r.u32());
  checkVersion(version);

  const budget: ExrBudget = { attributes: 0, channels: 0, vectorItems: 0 };
  const ctx: PartContext = { bytes, r, progress, maxName: version.longNames ? 255 : 31, limits, budget };
  const parts: RawPart[] = [];
  for (;;) {
    progress.reading = `the header of part ${parts.length}`;
    // A multipart file's header list ends with an empty header: one null byte.
    if (version.multipart && r.peek() === 0) {
      r.pos += 1;
      break;
    }
    if (parts.length === limits.maxParts) {
      throw new ExrParseError('LIMIT_EXCEEDED', r.pos, `more than ${limits.maxParts} parts`);
    }
    parts.push(readPart(ctx, parts.length));
    if (!version.multipart) break;
  }
  if (parts.length === 0) {
    throw new ExrParseError('NO_PARTS', r.pos - 1, 'the multipart header list is empty');
  }
  return { version, parts, headerEnd: r.pos };
}
