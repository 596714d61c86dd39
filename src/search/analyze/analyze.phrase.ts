import type { PhraseQuery } from './analyze.query.ts';
import type { Token } from './analyze.tokens.ts';

/**
 * Calls `found` with the token indexes of the first and last term of each occurrence of the
 * phrase, until it returns false. Tokens must be in analyze order (strictly increasing
 * positions). A null of the phrase must meet a position that holds no token: a stop word, since
 * every other word is a token. Nulls at the ends of a phrase constrain nothing and are skipped;
 * a phrase without terms has no occurrence.
 */
function occurrences(
  tokens: readonly Token[],
  phrase: PhraseQuery,
  found: (first: number, last: number) => boolean,
): void {
  const terms = phrase.terms;
  let lo = 0;
  let hi = terms.length - 1;
  while (lo <= hi && terms[lo] == null) lo++;
  while (hi >= lo && terms[hi] == null) hi--;
  const head = terms[lo];
  if (head == null) return;
  for (let i = 0; i < tokens.length; i++) {
    const anchor = tokens[i];
    if (anchor === undefined || anchor.term !== head) continue;
    let j = i + 1;
    let matched = true;
    for (let k = lo + 1; k <= hi && matched; k++) {
      const want = terms[k];
      const next = tokens[j];
      const at = anchor.position + (k - lo);
      if (want == null) matched = next === undefined || next.position !== at;
      else {
        matched = next !== undefined && next.position === at && next.term === want;
        j++;
      }
    }
    if (matched && !found(i, j - 1)) return;
  }
}

/** True when the tokens hold the phrase with exactly its gaps (see PhraseQuery). */
export function matchesPhrase(tokens: readonly Token[], phrase: PhraseQuery): boolean {
  let any = false;
  occurrences(tokens, phrase, () => {
    any = true;
    return false;
  });
  return any;
}

/**
 * The [start, end) text offsets of every occurrence of the phrase, from its first word to its
 * last (the stop words between included), in text order; occurrences may overlap ("la la" in
 * "la la la").
 */
export function phraseSpans(tokens: readonly Token[], phrase: PhraseQuery): [number, number][] {
  const spans: [number, number][] = [];
  occurrences(tokens, phrase, (first, last) => {
    const a = tokens[first];
    const b = tokens[last];
    if (a !== undefined && b !== undefined) spans.push([a.start, b.end]);
    return true;
  });
  return spans;
}
