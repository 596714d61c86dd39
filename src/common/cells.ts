import { BadRequestError } from './errors.ts';

/**
 * The most bytes one stored value (a cell: a text, or a JSON document kept as text) may hold.
 * VAST DataBase documents a maximum cell size of "126KB" (its field docs, "Dimensions and
 * Limits"); this takes the stricter reading (126,000 bytes, not 126 KiB). Every engine keeps to
 * it, DuckDB included, so that what one engine accepts the other does too: a value over it is
 * refused with 400 before anything is written, never cut short.
 */
export const CELL_MAX_BYTES = 126_000;

/**
 * Room kept by default in a document that is stored whole inside another value (a Flow inside
 * its flows/updated event: `{"flow": …}`).
 */
const WRAPPER_BYTES = 64;

/** The operations' documentation of the limit (the API's descriptions append it). */
export const CELL_NOTE =
  "A value the store keeps as one entry (a label, a tag's value, a Flow, Source or segment as a whole, as JSON) of more than 126,000 bytes (VAST DataBase's maximum cell size, kept on every engine) is refused with 400 naming it.";

const grouped = (n: number) => n.toLocaleString('en-US');

/** Bytes of `text` in UTF-8; cheap for text too short to matter (at most 3 bytes a UTF-16 unit). */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Whether `text` fits in one stored value. */
export function textFits(text: string): boolean {
  return text.length * 3 <= CELL_MAX_BYTES || utf8Bytes(text) <= CELL_MAX_BYTES;
}

/**
 * The longest start of `text` that fits in one stored value, never cut between the halves of a
 * surrogate pair: for text the server derives (a search document's words), never for what a
 * client sent, which is refused whole instead.
 */
export function startThatFits(text: string): string {
  if (textFits(text)) return text;
  // At least one byte per UTF-16 unit: the answer is no longer than CELL_MAX_BYTES units.
  let end = Math.min(text.length, CELL_MAX_BYTES);
  while (utf8Bytes(text.slice(0, end)) > CELL_MAX_BYTES) {
    end -= Math.max(1, Math.floor((utf8Bytes(text.slice(0, end)) - CELL_MAX_BYTES) / 3));
  }
  const high = text.charCodeAt(end - 1);
  return text.slice(0, high >= 0xd800 && high <= 0xdbff ? end - 1 : end);
}

/** Bytes of `value` as JSON text (what a json column stores); 0 for undefined. */
export function jsonBytes(value: unknown): number {
  const text = JSON.stringify(value);
  return text === undefined ? 0 : utf8Bytes(text);
}

/**
 * `items` in order, in as few parts as keep each part's JSON array within `room` bytes: how a
 * list too long for one cell goes into several rows. An item larger than `room` has a part of its
 * own (the caller refuses such items before).
 */
export function inCells<T>(items: readonly T[], room: number): T[][] {
  if (jsonBytes(items) <= room) return [[...items]];
  const parts: T[][] = [];
  let part: T[] = [];
  let used = 2;
  for (const item of items) {
    const bytes = jsonBytes(item) + 1;
    if (part.length > 0 && used + bytes > room) {
      parts.push(part);
      part = [];
      used = 2;
    }
    part.push(item);
    used += bytes;
  }
  parts.push(part);
  return parts;
}

/** Why a value of `bytes` bytes cannot be stored: the sentence every refusal shares. */
export function tooLargeForCell(what: string, bytes: number): string {
  return `${what} is ${grouped(bytes)} bytes; the metadata database keeps at most ${grouped(CELL_MAX_BYTES)} bytes in one value`;
}

/**
 * Refuses (400, naming `field`) a value stored in one cell: text as it is (unless `asJson`: a
 * json column keeps a string as its JSON text), anything else as its JSON text. Undefined and
 * null are always accepted.
 */
export function checkCell(field: string, value: unknown, asJson = false): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'string' && !asJson) {
    if (!textFits(value)) throw new BadRequestError(tooLargeForCell(field, utf8Bytes(value)));
    return;
  }
  const bytes = jsonBytes(value);
  if (bytes > CELL_MAX_BYTES) throw new BadRequestError(tooLargeForCell(field, bytes));
}

/** The members of an object or array with their JSON sizes, largest first. */
function members(value: object): [string, number][] {
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return entries
    .filter(([, v]) => v !== undefined)
    .map(([k, v]): [string, number] => [k, jsonBytes(v)])
    .sort((a, b) => b[1] - a[1]);
}

/**
 * Refuses (400) a document that is stored whole in one value: `what` names it ("a Flow"),
 * `where` the value holding it ("its flows/updated event"), `reserve` the bytes that value adds
 * to it. When one member alone cannot fit,
 * the refusal names that member (`tags.genre`), else the largest members, so the client knows
 * what to shorten.
 */
export function checkDocument(what: string, doc: object, where: string, reserve = WRAPPER_BYTES): void {
  const limit = CELL_MAX_BYTES - reserve;
  const bytes = jsonBytes(doc);
  if (bytes <= limit) return;
  const whole = `${what} is stored whole in one value (${where}), which holds at most ${grouped(limit)} bytes of it`;
  // Down the largest member while it alone is too large: the field to shorten.
  const path: string[] = [];
  let at: unknown = doc;
  let size = bytes;
  for (;;) {
    if (at === null || typeof at !== 'object') break;
    const [largest] = members(at);
    if (largest === undefined || largest[1] <= limit) break;
    path.push(largest[0]);
    size = largest[1];
    at = (at as Record<string, unknown>)[largest[0]];
  }
  if (path.length > 0) {
    throw new BadRequestError(`${path.join('.')} is ${grouped(size)} bytes as JSON; ${whole}`);
  }
  const largest = members(doc)
    .slice(0, 3)
    .map(([k, n]) => `${k} (${grouped(n)} bytes)`);
  throw new BadRequestError(
    `${what} is ${grouped(bytes)} bytes as JSON; ${whole}. Its largest fields: ${largest.join(', ')}`,
  );
}
