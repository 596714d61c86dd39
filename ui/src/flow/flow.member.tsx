import { useEffect } from 'preact/hooks';
import type { Flow } from '../api/types.ts';
import { useFlowRefresh } from './flow.refresh.ts';

/**
 * Reads a multi Flow's video member again as the page reads an ordinary Flow being written
 * (`useFlowRefresh`: while it has no segment yet, or while the multi Flow plays live), so the
 * page's extent, timeline and segment list grow with it. A component rather than a hook: the
 * member is known only once read, and keyed by it the refresh starts from that document.
 */
export function MemberRefresh({
  member,
  live,
  onRead,
  onError,
}: {
  member: Flow;
  live: boolean;
  onRead: (read: { flow: Flow; over: Flow }) => void;
  /** Why the last read failed, or undefined once one succeeds. */
  onError: (error: string | undefined) => void;
}) {
  const { flow, error } = useFlowRefresh(member, live);
  useEffect(() => {
    if (flow !== member) onRead({ flow, over: member });
  }, [flow]);
  useEffect(() => onError(error), [error]);
  return null;
}
