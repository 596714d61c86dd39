import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Loading } from '../components/common.tsx';

type SourcePageType = ComponentType<{ id: string }>;

/** The Source page in a chunk of its own, loaded when first opened (the first load stays small). */
export function LazySourcePage({ id }: { id: string }) {
  const [page, setPage] = useState<{ component: SourcePageType } | { error: unknown } | undefined>();
  useEffect(() => {
    import('./source.page.tsx').then(
      (module) => setPage({ component: module.SourcePage }),
      (error) => setPage({ error }),
    );
  }, []);
  if (page === undefined) return <Loading what="the Source page" />;
  if ('error' in page) return <p class="error">The Source page could not be loaded: {String(page.error)}</p>;
  const SourcePage = page.component;
  return <SourcePage id={id} />;
}

/** `/sources/{id}`: a Source's page. */
export const SOURCE_PATH = /^\/sources\/([0-9a-fA-F-]{36})$/;
