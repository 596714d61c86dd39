import type { SortCursor } from '../store/listing.order.ts';

/**
 * Page cursors of the wings' job listings (recordings, replications), oldest first: the last
 * job's creation (ms since the epoch) and its id.
 */
const CURSOR = /^(\d{1,15})_([0-9a-f-]{36})$/;

export function isJobCursor(text: string): boolean {
  return CURSOR.test(text);
}

export function jobCursorText(after: SortCursor): string {
  return `${after.value instanceof Date ? after.value.getTime() : 0}_${after.id}`;
}

export function parseJobCursor(text: string | undefined): SortCursor | undefined {
  const match = text === undefined ? null : CURSOR.exec(text);
  return match ? { value: new Date(Number(match[1])), id: match[2] as string } : undefined;
}
