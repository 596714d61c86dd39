import { decodePostings } from '../store/search.codec.ts';
import type { PostingsRow } from '../store/search.index.repo.ts';

/** A term's postings as parallel arrays in increasing document order. */
export interface DecodedList {
  readonly docs: Float64Array;
  /** `weigh(tf, length)` of each posting (empty when no weigh was given). */
  readonly scores: Float64Array;
}

interface Segment {
  docs: Float64Array;
  scores: Float64Array;
  length: number;
}

/**
 * Decodes the rows of one term, from every part, into one list in document order. Parts cover
 * disjoint ranges of documents and a row's postings are in order, so the rows only need ordering
 * by their first document. `weigh` turns each posting into its contribution as it is decoded,
 * so that scoring reads a number per posting, never a posting twice.
 */
export function decodeTerm(
  rows: readonly PostingsRow[],
  weigh?: (tf: number, length: number) => number,
): DecodedList {
  const segments = rows.map((row) => decodeRow(row, weigh)).filter((s) => s.length > 0);
  segments.sort((a, b) => (a.docs[0] as number) - (b.docs[0] as number));
  const total = segments.reduce((n, s) => n + s.length, 0);
  const docs = new Float64Array(total);
  const scores = new Float64Array(weigh === undefined ? 0 : total);
  let at = 0;
  let ordered = true;
  for (const s of segments) {
    if (at > 0 && (s.docs[0] as number) <= (docs[at - 1] as number)) ordered = false;
    docs.set(s.docs.subarray(0, s.length), at);
    if (weigh !== undefined) scores.set(s.scores.subarray(0, s.length), at);
    at += s.length;
  }
  return ordered ? { docs, scores } : mergeOverlapping(docs, scores, weigh !== undefined);
}

function decodeRow(row: PostingsRow, weigh?: (tf: number, length: number) => number): Segment {
  // `count` sizes the arrays; a row holding more than it says only costs a copy.
  let docs: Float64Array = new Float64Array(Math.max(row.count, 1));
  let scores: Float64Array = new Float64Array(weigh === undefined ? 0 : docs.length);
  let n = 0;
  decodePostings(row.data, (doc, tf, length) => {
    if (n === docs.length) {
      docs = grow(docs, n * 2);
      if (weigh !== undefined) scores = grow(scores, n * 2);
    }
    docs[n] = doc;
    if (weigh !== undefined) scores[n] = weigh(tf, length);
    n++;
  });
  return { docs, scores, length: n };
}

function grow(array: Float64Array, size: number): Float64Array {
  const next = new Float64Array(size);
  next.set(array);
  return next;
}

/**
 * Parts never overlap, so this is a safety net: postings sorted by document, and a document's
 * postings in several rows made one (contributions added), so that each list holds a document
 * once, as the scoring requires.
 */
function mergeOverlapping(docs: Float64Array, scores: Float64Array, weighed: boolean): DecodedList {
  const order = Array.from(docs.keys()).sort((a, b) => (docs[a] as number) - (docs[b] as number) || a - b);
  const outDocs: number[] = [];
  const outScores: number[] = [];
  for (const i of order) {
    const doc = docs[i] as number;
    const score = weighed ? (scores[i] as number) : 0;
    if (outDocs.length > 0 && outDocs[outDocs.length - 1] === doc) {
      outScores[outScores.length - 1] = (outScores[outScores.length - 1] as number) + score;
    } else {
      outDocs.push(doc);
      outScores.push(score);
    }
  }
  return {
    docs: Float64Array.from(outDocs),
    scores: weighed ? Float64Array.from(outScores) : new Float64Array(0),
  };
}
