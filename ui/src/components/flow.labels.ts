import { useEffect, useState } from 'preact/hooks';
import { tams } from '../api/http.ts';
import type { Flow } from '../api/types.ts';

/** Flows read for their labels at most (a collection is a handful; the rest show their ids). */
const MOST = 50;

/**
 * The labels of the Flows `ids` names (a multi Flow's members, the collections a Flow is in),
 * each read once: absent while it is read, and for a Flow that cannot be read or has no label.
 */
export function useFlowLabels(ids: readonly string[]): ReadonlyMap<string, string> {
  const key = ids.slice(0, MOST).join(' ');
  const [labels, setLabels] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    if (key === '') return;
    const controller = new AbortController();
    for (const id of key.split(' ')) {
      tams<Flow>(`/flows/${encodeURIComponent(id)}`, { signal: controller.signal }).then(
        ({ body }) => {
          const label = body.label?.trim();
          if (label) setLabels((known) => new Map(known).set(id, label));
        },
        // A member deleted or not readable: its id alone says which it was.
        () => undefined,
      );
    }
    return () => controller.abort();
  }, [key]);
  return labels;
}
