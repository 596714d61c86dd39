import { useCallback, useState } from 'preact/hooks';

/**
 * Items of a listing as edited on the page (read back from the API after the edit), shown in
 * place of what the listing loaded until it loads again.
 */
export function useEdited<T extends { id: string }>(): [(item: T) => T, (item: T) => void] {
  const [edits, setEdits] = useState<ReadonlyMap<string, T>>(new Map());
  const shown = (item: T) => edits.get(item.id) ?? item;
  const record = useCallback((item: T) => setEdits((old) => new Map(old).set(item.id, item)), []);
  return [shown, record];
}
