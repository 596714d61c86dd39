import { forEachToken } from './analyze/analyze.tokens.ts';

/** What the indexer needs of a text: its terms and how often each occurs, and its length. */
export interface IndexedText {
  terms: Map<string, number>;
  /** Indexed tokens (stop words left out): BM25's document length. */
  length: number;
}

export interface IndexText {
  indexTerms(text: string): IndexedText;
}

/** The analyzer of src/search/analyze, as the indexer uses it. */
export const analyzerText: IndexText = {
  indexTerms(text: string): IndexedText {
    const terms = new Map<string, number>();
    let length = 0;
    forEachToken(text, (term) => {
      terms.set(term, (terms.get(term) ?? 0) + 1);
      length++;
    });
    return { terms, length };
  },
};
