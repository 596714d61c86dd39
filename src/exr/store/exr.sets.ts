/**
 * Sets of short strings in one string column, as `|a|b|c|` (sorted, no repeats): a member is
 * found with `contains('|b|')`, a predicate both engines push down. `|` and `%` inside a value
 * are percent-escaped so that no value can span a delimiter. The empty set is `|`.
 */
export function encodeSet(values: Iterable<string>): string {
  const unique = [...new Set(values)].map(escapeValue).sort();
  return unique.length === 0 ? '|' : `|${unique.join('|')}|`;
}

export function decodeSet(stored: string | undefined): string[] {
  if (stored === undefined) return [];
  return stored
    .split('|')
    .filter((v) => v !== '')
    .map(unescapeValue);
}

/** What `contains` looks for to find `value` in an encoded set. */
export function setMember(value: string): string {
  return `|${escapeValue(value)}|`;
}

function escapeValue(value: string): string {
  return value.replaceAll('%', '%25').replaceAll('|', '%7C');
}

function unescapeValue(value: string): string {
  return value.replaceAll('%7C', '|').replaceAll('%25', '%');
}
