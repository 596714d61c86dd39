import { useEffect, useState } from 'preact/hooks';
import { ApiError, tams } from '../api/http.ts';
import type { Flow } from '../api/types.ts';
import { FORMATS } from '../components/common.tsx';

/**
 * A multi Flow with no segments of its own and a collection: the server plays it as the
 * multivariant playlist of its members (GET /flows/{id}/hls.m3u8), video with its audio and
 * captions.
 */
export function isCollection(flow: Flow): boolean {
  return (
    flow.format === FORMATS.multi && flow.container === undefined && (flow.flow_collection?.length ?? 0) > 0
  );
}

export type Members = { state: 'loading' } | { state: 'done'; video: Flow | undefined };

/**
 * The video member of a collecting multi Flow as first read (its timerange included; read again
 * while it grows by `MemberRefresh`): the Flow whose segments the page's timeline, segment list,
 * timecode and export show. Undefined for any other Flow. A member that does not exist (any more) is passed over.
 */
export function useVideoMember(flow: Flow): Members | undefined {
  const collection = isCollection(flow);
  const ids = (flow.flow_collection ?? []).map((item) => item.id);
  const key = collection ? ids.join(' ') : '';
  const [members, setMembers] = useState<Members>({ state: 'loading' });
  useEffect(() => {
    if (!collection) return;
    const controller = new AbortController();
    setMembers({ state: 'loading' });
    const read = (id: string) =>
      tams<Flow>(`/flows/${encodeURIComponent(id)}`, {
        query: { include_timerange: true },
        signal: controller.signal,
      }).then(
        ({ body }) => body,
        (error) => {
          if (error instanceof ApiError && error.status === 404) return undefined;
          throw error;
        },
      );
    Promise.all(ids.map(read)).then(
      (flows) => {
        const video = flows.find(
          (f) => f !== undefined && f.format === FORMATS.video && f.container !== undefined,
        );
        setMembers({ state: 'done', video });
      },
      () => !controller.signal.aborted && setMembers({ state: 'done', video: undefined }),
    );
    return () => controller.abort();
  }, [key]);
  return collection ? members : undefined;
}
