import { computeChunkLayout } from './exr.chunks.ts';
import { isPartType } from './exr.enums.ts';
import type { RawPart } from './exr.header.ts';
import { attributeValue } from './exr.lookup.ts';
import { missingRequired } from './exr.required.ts';
import { summarize } from './exr.summary.ts';
import type { ExrChunks, ExrIssue, ExrPart, ExrPartType, ExrVersion } from './exr.types.ts';
import { invalidValues } from './exr.validity.ts';

/**
 * The part's type from its `type` attribute; without one, what the C++ library invents: tiled
 * when the single-part tiled bit is set, else scanline (in a multipart file, which must have
 * one, a guess from the tiles attribute).
 */
function partType(
  raw: RawPart,
  version: ExrVersion,
  issue: (message: string) => void,
): ExrPartType | 'unknown' {
  const written = attributeValue(raw, 'type', 'string');
  if (written === undefined) {
    if (version.singlePartTiled) return 'tiledimage';
    return version.multipart && attributeValue(raw, 'tiles', 'tiledesc') ? 'tiledimage' : 'scanlineimage';
  }
  if (!isPartType(written)) {
    issue(`type '${written}' is not a known part type`);
    return 'unknown';
  }
  if (!version.multipart) {
    if (version.singlePartTiled !== (written === 'tiledimage') && written !== 'deeptile') {
      issue(`type '${written}' disagrees with the single-part tiled bit (${version.singlePartTiled})`);
    }
    if (written.startsWith('deep') && !version.nonImage) issue(`type '${written}' without the non-image bit`);
  }
  return written;
}

function duplicates(raw: RawPart): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const { name } of raw.attributes) (seen.has(name) ? twice : seen).add(name);
  return [...twice];
}

/** A part's derived facts (all but its offset table, which needs every part's count). */
export function describePart(raw: RawPart, version: ExrVersion): { part: ExrPart; issues: ExrIssue[] } {
  const issues: ExrIssue[] = [];
  const add = (code: ExrIssue['code'], message: string) =>
    issues.push({ code, message, part: raw.index, offset: raw.headerStart });
  const type = partType(raw, version, (message) => add('PART_TYPE', message));

  for (const name of duplicates(raw)) add('DUPLICATE_ATTRIBUTE', `attribute '${name}' given more than once`);
  const missing = missingRequired(new Set(raw.attributes.map((a) => a.name)), type, version);
  if (missing.length > 0) add('MISSING_REQUIRED', `missing required attributes: ${missing.join(', ')}`);
  const deepVersion = attributeValue(raw, 'version', 'int');
  if (type.startsWith('deep') && deepVersion !== undefined && deepVersion !== 1) {
    add('DEEP_VERSION', `deep data version ${deepVersion}, expected 1`);
  }
  for (const { code, message } of invalidValues(raw)) add(code, message);

  const layout = computeChunkLayout({
    type,
    dataWindow: attributeValue(raw, 'dataWindow', 'box2i'),
    compression: attributeValue(raw, 'compression', 'compression'),
    tiles: attributeValue(raw, 'tiles', 'tiledesc'),
  });
  const declared = attributeValue(raw, 'chunkCount', 'int');
  if (declared !== undefined && declared < 0) add('BAD_CHUNK_COUNT', `chunkCount ${declared} is negative`);
  const usable = declared !== undefined && declared >= 0 ? declared : undefined;
  if (usable !== undefined && layout.computed !== undefined && usable !== layout.computed) {
    add('CHUNK_COUNT_MISMATCH', `chunkCount ${usable}, computed ${layout.computed}`);
  }
  const count = usable ?? layout.computed;
  if (count === undefined) add('CHUNK_COUNT_UNKNOWN', `no chunk count: ${layout.problem ?? 'unknown'}`);

  const chunks: ExrChunks = {
    source: usable !== undefined ? 'attribute' : count !== undefined ? 'computed' : 'unknown',
  };
  if (declared !== undefined) chunks.declared = declared;
  if (layout.computed !== undefined) chunks.computed = layout.computed;
  if (count !== undefined) chunks.count = count;
  if (layout.linesPerChunk !== undefined) chunks.linesPerChunk = layout.linesPerChunk;
  if (layout.levels !== undefined) chunks.levels = layout.levels;

  const part: ExrPart = {
    index: raw.index,
    headerStart: raw.headerStart,
    headerEnd: raw.headerEnd,
    attributes: raw.attributes,
    missingRequired: missing,
    chunks,
    summary: summarize(raw, type, chunks),
  };
  return { part, issues };
}
