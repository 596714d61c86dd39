import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Loading } from '../components/common.tsx';

/**
 * A component whose code is a chunk of its own, fetched when it is first shown (as app.tsx
 * loads the Flow page): editing dialogs and the token page stay out of the first load, and out
 * of reach of principals who are never offered them.
 */
export function lazy<P extends object>(
  load: () => Promise<ComponentType<P>>,
  what: string,
): ComponentType<P> {
  let loading: Promise<ComponentType<P>> | undefined;
  return function Lazy(props: P) {
    const [loaded, setLoaded] = useState<{ component: ComponentType<P> } | { error: unknown }>();
    useEffect(() => {
      loading ??= load();
      let live = true;
      loading.then(
        (component) => live && setLoaded({ component }),
        (error) => {
          // Fetched again next time (a network failure need not last).
          loading = undefined;
          if (live) setLoaded({ error });
        },
      );
      return () => {
        live = false;
      };
    }, []);
    if (loaded === undefined) return <Loading what={what} />;
    if ('error' in loaded) {
      return (
        <p class="error" role="alert">
          {what} could not be loaded: {String(loaded.error)}
        </p>
      );
    }
    const Component = loaded.component;
    return <Component {...props} />;
  };
}
