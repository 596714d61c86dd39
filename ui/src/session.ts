import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api, onCredentialsRefused } from './api/http.ts';
import { storedExpiry, storedToken, storeToken } from './api/session.ts';
import type { Whoami } from './api/types.ts';
import { CALLBACK_PATH } from './oidc/oidc.offer.ts';
import { currentRoute, navigate } from './router.ts';

/** What the server offers beyond TAMS, found out once signed in (routes answer 404 when off). */
export interface Features {
  search: boolean;
  exr: boolean;
  /** The live recorder (TAMS_RECORDER), whose jobs the caller may list. */
  recorder: boolean;
  /** Replication from other stores (TAMS_REPLICATION), whose jobs the caller may list. */
  replication: boolean;
}

export type Session =
  | { state: 'checking' }
  | { state: 'signed-out'; error?: string }
  | { state: 'signed-in'; who: Whoami; features: Features };

async function available(path: string): Promise<boolean> {
  try {
    await api(path);
    return true;
  } catch {
    return false;
  }
}

async function features(): Promise<Features> {
  const [search, exr, recorder, replication] = await Promise.all([
    available('/search/status'),
    available('/exr/stats'),
    available('/recordings?limit=1'),
    available('/replications?limit=1'),
  ]);
  return { search, exr, recorder, replication };
}

/** Who the server takes the caller for with `token` (or with none: authentication may be off). */
async function check(token: string | undefined, expires?: number): Promise<Session> {
  try {
    const { body } = await api<Whoami>('/auth/whoami', { token: token ?? '' });
    if (token !== undefined) storeToken(token, expires);
    return { state: 'signed-in', who: body, features: await features() };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      if (token !== undefined) storeToken(undefined);
      return {
        state: 'signed-out',
        ...(token !== undefined && { error: `The server refused this token: ${error.message}` }),
      };
    }
    return failed(error);
  }
}

const EXPIRED = 'Your sign-in has expired: sign in again.';

function failed(error: unknown): Session {
  return { state: 'signed-out', error: error instanceof Error ? error.message : String(error) };
}

/**
 * Back from the identity provider (/ui/signin/callback): the sign-in completed (oidc.flow.ts,
 * loaded now) and its access token checked like a pasted one; the code leaves the address bar
 * either way.
 */
async function fromProvider(): Promise<Session> {
  try {
    const { completeSignIn } = await import('./oidc/oidc.flow.ts');
    const done = await completeSignIn(location.search);
    navigate(done.returnTo, { replace: true });
    return await check(done.token, done.expires);
  } catch (error) {
    navigate('/', { replace: true });
    return failed(error);
  }
}

/** The session a page load starts with. */
function restore(): Promise<Session> {
  if (currentRoute().path === CALLBACK_PATH) return fromProvider();
  const expires = storedExpiry();
  if (expires !== undefined && expires <= Date.now()) {
    storeToken(undefined);
    return Promise.resolve({ state: 'signed-out', error: EXPIRED });
  }
  return check(storedToken(), expires);
}

/** setTimeout's longest delay (about 24.8 days): longer ones would fire at once, so a longer wait is made of several. */
const LONGEST_DELAY = 2 ** 31 - 1;

export function useSession(): {
  session: Session;
  signIn: (token: string) => Promise<void>;
  signOut: () => void;
} {
  const [session, setSession] = useState<Session>({ state: 'checking' });
  useEffect(() => {
    let live = true;
    restore().then((s) => live && setSession(s));
    const off = onCredentialsRefused(() => {
      storeToken(undefined);
      setSession({ state: 'signed-out', error: 'The server no longer accepts the token: sign in again.' });
    });
    return () => {
      live = false;
      off();
    };
  }, []);
  // A token known to expire (the identity provider's) ends the session when it does, rather
  // than at the next request the server refuses.
  useEffect(() => {
    const expires = storedExpiry();
    if (session.state !== 'signed-in' || expires === undefined) return;
    let timer: ReturnType<typeof setTimeout>;
    const wait = () => {
      const left = expires - Date.now();
      if (left > 0) {
        timer = setTimeout(wait, Math.min(LONGEST_DELAY, left));
        return;
      }
      storeToken(undefined);
      setSession({ state: 'signed-out', error: EXPIRED });
    };
    timer = setTimeout(wait, Math.min(LONGEST_DELAY, Math.max(0, expires - Date.now())));
    return () => clearTimeout(timer);
  }, [session]);
  const signIn = useCallback(async (token: string) => {
    setSession(await check(token.trim()));
  }, []);
  const signOut = useCallback(() => {
    storeToken(undefined);
    setSession({ state: 'signed-out' });
  }, []);
  return { session, signIn, signOut };
}
