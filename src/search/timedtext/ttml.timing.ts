import { parseTimeExpression, type TimingParams } from './ttml.time.ts';
import type { XmlElement } from './ttml.xml.ts';

/** Elements of body that take timing attributes and contain the content. */
const TIMED = new Set(['body', 'div', 'p', 'span']);
/** Elements whose character data is content (in div and body it is only layout whitespace). */
const MIXED = new Set(['p', 'span']);

export const BREAK: unique symbol = Symbol('br');

/**
 * A timed element with its interval on the media timeline before its ancestors' intervals clip
 * it (the clipping happens when cues are made). `end` undefined is indefinite.
 */
export interface TimedNode {
  readonly el: XmlElement;
  readonly begin: bigint;
  readonly end: bigint | undefined;
  /** Timed children, content text and line breaks in document order. */
  readonly parts: readonly (TimedNode | string | typeof BREAK)[];
}

/** Why a timing attribute could not be used, and on which element. */
export class TimingError extends Error {
  constructor(
    readonly el: XmlElement,
    reason: string,
  ) {
    super(reason);
  }
}

/**
 * Resolves the intervals of `el` and its descendants, SMIL-style as TTML specifies. `syncBase` is
 * where the element's begin and end offsets count from: its parent's begin in a par container
 * (the default), the end of the previous timed sibling (or the parent's begin) in a seq one. An
 * element with neither end nor dur ends implicitly: a par container when its last child ends
 * (never, if a child or some content text is indefinite), a seq container when its last child
 * ends; text in a seq container has no duration and so is never shown. When both end and dur are
 * given the earlier wins.
 */
export function resolveTiming(el: XmlElement, syncBase: bigint, params: TimingParams): TimedNode {
  const time = (name: string): bigint | undefined => {
    const raw = el.attrs.get(name);
    if (raw === undefined) return undefined;
    const ns = parseTimeExpression(raw, params);
    if (ns === undefined) throw new TimingError(el, `invalid ${name} ${JSON.stringify(raw)}`);
    return ns;
  };
  const container = el.attrs.get('timeContainer')?.trim() ?? 'par';
  if (container !== 'par' && container !== 'seq') {
    throw new TimingError(el, `invalid timeContainer ${JSON.stringify(container)}`);
  }
  const begin = syncBase + (time('begin') ?? 0n);
  const endOffset = time('end');
  const dur = time('dur');

  const parts: (TimedNode | string | typeof BREAK)[] = [];
  let cursor: bigint | undefined = begin;
  let latest = begin;
  let indefinite = false;
  for (const child of el.children) {
    if (typeof child === 'string') {
      if (!MIXED.has(el.local) || container === 'seq') continue;
      parts.push(child);
      if (!/^[ \t\r\n]*$/.test(child)) indefinite = true;
    } else if (child.ns === 'tt' && child.local === 'br') {
      parts.push(BREAK);
    } else if (child.ns === 'tt' && TIMED.has(child.local)) {
      if (container === 'seq') {
        // After an indefinite sibling nothing else in the sequence ever begins.
        if (cursor === undefined) continue;
        const node = resolveTiming(child, cursor, params);
        cursor = node.end;
        parts.push(node);
      } else {
        const node = resolveTiming(child, begin, params);
        if (node.end === undefined) indefinite = true;
        else if (node.end > latest) latest = node.end;
        parts.push(node);
      }
    }
  }
  let end: bigint | undefined = container === 'seq' ? cursor : indefinite ? undefined : latest;
  if (endOffset !== undefined || dur !== undefined) {
    const byEnd = endOffset === undefined ? undefined : syncBase + endOffset;
    const byDur = dur === undefined ? undefined : begin + dur;
    end = byEnd === undefined ? byDur : byDur === undefined || byEnd < byDur ? byEnd : byDur;
  }
  return { el, begin, end, parts };
}
