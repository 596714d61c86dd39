import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api, onCredentialsRefused } from './api/http.ts';
import { storedToken, storeToken } from './api/session.ts';
import type { Whoami } from './api/types.ts';

/** What the server offers beyond TAMS, found out once signed in (routes answer 404 when off). */
export interface Features {
  search: boolean;
  exr: boolean;
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
  const [search, exr] = await Promise.all([available('/search/status'), available('/exr/stats')]);
  return { search, exr };
}

/** Who the server takes the caller for with `token` (or with none: authentication may be off). */
async function check(token: string | undefined): Promise<Session> {
  try {
    const { body } = await api<Whoami>('/auth/whoami', { token: token ?? '' });
    if (token !== undefined) storeToken(token);
    return { state: 'signed-in', who: body, features: await features() };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      if (token !== undefined) storeToken(undefined);
      return {
        state: 'signed-out',
        ...(token !== undefined && { error: `The server refused this token: ${error.message}` }),
      };
    }
    return { state: 'signed-out', error: error instanceof Error ? error.message : String(error) };
  }
}

export function useSession(): {
  session: Session;
  signIn: (token: string) => Promise<void>;
  signOut: () => void;
} {
  const [session, setSession] = useState<Session>({ state: 'checking' });
  useEffect(() => {
    let live = true;
    check(storedToken()).then((s) => live && setSession(s));
    const off = onCredentialsRefused(() => {
      storeToken(undefined);
      setSession({ state: 'signed-out', error: 'The server no longer accepts the token: sign in again.' });
    });
    return () => {
      live = false;
      off();
    };
  }, []);
  const signIn = useCallback(async (token: string) => {
    setSession(await check(token.trim()));
  }, []);
  const signOut = useCallback(() => {
    storeToken(undefined);
    setSession({ state: 'signed-out' });
  }, []);
  return { session, signIn, signOut };
}
