import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Loading, PageTitle } from './components/common.tsx';
import { FlowsPage } from './pages/flows.tsx';
import {
  DeletionsPage,
  ObjectPage,
  ProfilesPage,
  RecordingsPage,
  ReplicationsPage,
  SearchPage,
  StoragePage,
  WebhooksPage,
} from './pages/pages.lazy.ts';
import { SignInPage } from './pages/signin.tsx';
import { SourcesPage } from './pages/sources.tsx';
import { href, navigate, type Route, useRoute, withQuery } from './router.ts';
import { type Features, type Session, useSession } from './session.ts';
import { LazySourcePage, SOURCE_PATH } from './sources/source.lazy.tsx';
import { TokensPage } from './writes/dialogs.lazy.ts';
import { allowed } from './writes/permissions.ts';
import { PrincipalContext } from './writes/principal.ts';

type FlowPageType = ComponentType<{ id: string; route: Route; features: Features }>;

/**
 * The Flow page (timeline, player) in a chunk of its own, loaded when first opened: the first
 * load (sign-in, lists) stays small, and hls.js is a further chunk the player loads.
 */
function LazyFlowPage(props: { id: string; route: Route; features: Features }) {
  const [page, setPage] = useState<{ component: FlowPageType } | { error: unknown } | undefined>();
  useEffect(() => {
    import('./flow/flow.page.tsx').then(
      (module) => setPage({ component: module.FlowPage }),
      (error) => setPage({ error }),
    );
  }, []);
  if (page === undefined) return <Loading what="the Flow page" />;
  if ('error' in page) return <p class="error">The Flow page could not be loaded: {String(page.error)}</p>;
  const FlowPage = page.component;
  return <FlowPage {...props} />;
}

const FLOW_PATH = /^\/flows\/([0-9a-fA-F-]{36})$/;

function Page({ route, session }: { route: Route; session: Extract<Session, { state: 'signed-in' }> }) {
  const admin = session.who.scopes.includes('admin');
  const flow = FLOW_PATH.exec(route.path);
  if (flow?.[1]) return <LazyFlowPage id={flow[1]} route={route} features={session.features} />;
  const source = SOURCE_PATH.exec(route.path);
  if (source?.[1]) return <LazySourcePage id={source[1]} />;
  switch (route.path) {
    case '/':
    case '/sources':
      return <SourcesPage route={route} />;
    case '/flows':
      return <FlowsPage route={route} />;
    case '/profiles':
      return <ProfilesPage route={route} />;
    case '/storage':
      return <StoragePage route={route} />;
    case '/objects':
      // By `?id=`: object ids are any string a client chose, dots and slashes included, which a
      // path would confuse with the UI's files.
      return <ObjectPage id={route.query.get('id') ?? ''} />;
    case '/search':
      return session.features.search ? <SearchPage route={route} /> : <NotFound what="Media search is off" />;
    case '/recordings':
      return session.features.recorder ? (
        <RecordingsPage route={route} />
      ) : (
        <NotFound what="The recorder is off, or its jobs need the read scope" />
      );
    case '/replications':
      return session.features.replication ? (
        <ReplicationsPage route={route} />
      ) : (
        <NotFound what="Replication is off, or its jobs need the read scope" />
      );
    case '/deletions':
      // Everyone reading may follow deletions (the API's rule): running ones explain segments
      // still listed, finished ones what went.
      return allowed(session.who, 'deletionList') ? (
        <DeletionsPage route={route} />
      ) : (
        <NotFound what="Deletion requests need the read scope" />
      );
    case '/webhooks':
      // Everyone reading sees their own (the API's answer), administrators everyone's.
      return allowed(session.who, 'webhookList') ? (
        <WebhooksPage route={route} admin={admin} />
      ) : (
        <NotFound what="Webhooks need the read scope" />
      );
    case '/tokens':
      return allowed(session.who, 'tokenList') ? (
        <TokensPage />
      ) : (
        <NotFound what="API tokens are for administrators" />
      );
    default:
      return <NotFound what="No such page" />;
  }
}

function NotFound({ what }: { what: string }) {
  return (
    <section>
      <PageTitle>{what}</PageTitle>
      <p>
        <a href={href('/sources')}>Sources</a>
      </p>
    </section>
  );
}

function SearchBox({ route }: { route: Route }) {
  const onSubmit = (event: Event) => {
    event.preventDefault();
    const q = String(new FormData(event.currentTarget as HTMLFormElement).get('q') ?? '').trim();
    if (q !== '') navigate(withQuery('/search', { q }));
  };
  return (
    <form class="searchbox" aria-label="Search" onSubmit={onSubmit} key={route.query.get('q') ?? ''}>
      <label for="q" class="visually-hidden">
        Search the store
      </label>
      <input id="q" name="q" type="search" placeholder="Search…" defaultValue={route.query.get('q') ?? ''} />
      <button type="submit">Search</button>
    </form>
  );
}

function NavLink({ to, route, children }: { to: string; route: Route; children: string }) {
  const current =
    route.path === to || (to === '/sources' && (route.path === '/' || SOURCE_PATH.test(route.path)));
  return (
    <a href={href(to)} aria-current={current ? 'page' : undefined}>
      {children}
    </a>
  );
}

export function App() {
  const route = useRoute();
  const { session, signIn, signOut } = useSession();
  const signedIn = session.state === 'signed-in' ? session : undefined;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href('/sources')}>
          TAMS
        </a>
        {signedIn && (
          <nav aria-label="Main">
            <NavLink to="/sources" route={route}>
              Sources
            </NavLink>
            <NavLink to="/flows" route={route}>
              Flows
            </NavLink>
            <NavLink to="/profiles" route={route}>
              Profiles
            </NavLink>
            <NavLink to="/storage" route={route}>
              Storage
            </NavLink>
            {signedIn.features.recorder && (
              <NavLink to="/recordings" route={route}>
                Recordings
              </NavLink>
            )}
            {signedIn.features.replication && (
              <NavLink to="/replications" route={route}>
                Replication
              </NavLink>
            )}
            {allowed(signedIn.who, 'deletionList') && (
              <NavLink to="/deletions" route={route}>
                Deletions
              </NavLink>
            )}
            {allowed(signedIn.who, 'webhookList') && (
              <NavLink to="/webhooks" route={route}>
                Webhooks
              </NavLink>
            )}
            {allowed(signedIn.who, 'tokenList') && (
              <NavLink to="/tokens" route={route}>
                Tokens
              </NavLink>
            )}
          </nav>
        )}
        {signedIn?.features.search && <SearchBox route={route} />}
        {signedIn && signedIn.who.scheme !== 'none' && (
          <div class="who">
            <span title={signedIn.who.scopes.join(', ')}>{signedIn.who.name ?? 'signed in'}</span>
            <span class="muted who-scopes" data-testid="who-scopes">
              {signedIn.who.scopes.join(' ') || 'no scopes'}
            </span>
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main">
        {session.state === 'checking' && <Loading what="the session" />}
        {session.state === 'signed-out' && <SignInPage error={session.error} onSignIn={signIn} />}
        {signedIn && (
          <PrincipalContext.Provider value={signedIn.who}>
            <Page route={route} session={signedIn} />
          </PrincipalContext.Provider>
        )}
      </main>
    </>
  );
}
