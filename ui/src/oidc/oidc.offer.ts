/**
 * Whether the server offers sign-in with its identity provider, and with which client: read
 * from GET /ui/config.json (public: asked before anyone signs in). Part of the first load, so it
 * stays this small; the sign-in itself (oidc.flow.ts) loads when used.
 */
import { href } from '../router.ts';

/** The UI path the provider sends the user back to (register `<server>/ui/signin/callback`). */
export const CALLBACK_PATH = '/signin/callback';

export interface OidcOffer {
  issuer: string;
  client_id: string;
  scope: string;
  resource?: string;
}

/** The offer, or undefined when the server makes none (or cannot be asked: the token form stays). */
export async function loadOffer(): Promise<OidcOffer | undefined> {
  try {
    const res = await fetch(href('/config.json'), { headers: { accept: 'application/json' } });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { oidc?: OidcOffer | null };
    return body.oidc ?? undefined;
  } catch {
    return undefined;
  }
}

/** How the provider is named on the button: its host, which the user recognises. */
export function providerName(issuer: string): string {
  try {
    return new URL(issuer).host;
  } catch {
    return issuer;
  }
}
