/**
 * Token ids for the ONNX model: Hugging Face's tokenizer (@huggingface/tokenizers, which reads the
 * model's own tokenizer.json) plus the truncation it lacks. Ids match Python `tokenizers` with
 * truncation to `maxTokens` (reference.json is the oracle): the text's tokens are cut to what
 * leaves room for the special tokens, which are then added around them.
 */
import { Tokenizer } from '@huggingface/tokenizers';

export interface TextTokenizer {
  readonly maxTokens: number;
  /** The ids of `text` with the special tokens, at most `maxTokens` of them. */
  encode(text: string): number[];
}

/**
 * Tokenising is linear in the text, and a whole transcript would be tokenised only to keep its
 * first few hundred tokens. Past this many characters per kept token, the text is first cut at a
 * space: the tokens before a space do not depend on what follows it, so when the cut text still
 * fills the budget its ids are exactly those of the whole text. Otherwise the whole text is used.
 */
const CHARS_PER_TOKEN_BOUND = 32;
const CUTTABLE = new Set([' ', '\n', '\t', '\r']);

export function createTextTokenizer(
  tokenizerJson: object,
  tokenizerConfig: object,
  maxTokens: number,
): TextTokenizer {
  const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
  const content = (text: string): number[] => tokenizer.encode(text, { add_special_tokens: false }).ids;

  // The special tokens around a text ([CLS] … [SEP] for BERT), as the tokenizer's own
  // post-processor places them: read off one encoding rather than assumed.
  const probe = content('a');
  // Typed here: the package's declarations use extensionless imports that NodeNext cannot resolve.
  const full: number[] = tokenizer.encode('a').ids;
  const at = full.findIndex((_, i) => probe.every((id, j) => full[i + j] === id));
  if (probe.length === 0 || at < 0)
    throw new Error('tokenizer.json: cannot locate the text among the special tokens');
  const prefix = full.slice(0, at);
  const suffix = full.slice(at + probe.length);
  const budget = maxTokens - prefix.length - suffix.length;
  if (budget < 1) throw new RangeError(`maxTokens ${maxTokens} leaves no room for text`);
  const cutAt = maxTokens * CHARS_PER_TOKEN_BOUND;

  const truncated = (text: string): number[] => {
    if (text.length > cutAt) {
      let end = cutAt;
      while (end > 0 && !CUTTABLE.has(text.charAt(end))) end--;
      if (end > 0) {
        const head = content(text.slice(0, end));
        if (head.length >= budget) return head.slice(0, budget);
      }
    }
    return content(text).slice(0, budget);
  };

  return {
    maxTokens,
    encode: (text) => [...prefix, ...truncated(text), ...suffix],
  };
}
