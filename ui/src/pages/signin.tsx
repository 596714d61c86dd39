import { useEffect, useState } from 'preact/hooks';
import { PageTitle } from '../components/common.tsx';
import { CALLBACK_PATH, loadOffer, type OidcOffer, providerName } from '../oidc/oidc.offer.ts';
import { currentRoute } from '../router.ts';

/**
 * Sign-in with the identity provider the server trusts for JWTs, when the server offers it
 * (TAMS_UI_OIDC_CLIENT_ID), and with an API token (or a JWT): either is checked with GET
 * /auth/whoami, then kept for the tab's life in sessionStorage and sent as `Authorization:
 * Bearer` with every request.
 */
export function SignInPage({
  error,
  onSignIn,
}: {
  error?: string;
  onSignIn: (token: string) => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const [offer, setOffer] = useState<OidcOffer | undefined>();
  const [leaving, setLeaving] = useState(false);
  const [oidcError, setOidcError] = useState<string | undefined>();
  useEffect(() => {
    let live = true;
    loadOffer().then((found) => live && setOffer(found));
    return () => {
      live = false;
    };
  }, []);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const token = String(new FormData(event.currentTarget as HTMLFormElement).get('token') ?? '').trim();
    if (token === '') return;
    setBusy(true);
    try {
      await onSignIn(token);
    } finally {
      setBusy(false);
    }
  };
  const withProvider = async (found: OidcOffer) => {
    setLeaving(true);
    setOidcError(undefined);
    try {
      const { startSignIn } = await import('../oidc/oidc.flow.ts');
      const route = currentRoute();
      const search = route.query.toString();
      const here = route.path === CALLBACK_PATH ? '/' : `${route.path}${search === '' ? '' : `?${search}`}`;
      // The page is left for the provider's: nothing more to do here unless that fails.
      await startSignIn(found, here);
    } catch (failure) {
      setOidcError(failure instanceof Error ? failure.message : String(failure));
      setLeaving(false);
    }
  };
  const shown = oidcError ?? error;
  return (
    <section class="signin">
      <PageTitle>Sign in</PageTitle>
      {offer && (
        <div class="signin-provider">
          <button type="button" disabled={leaving} onClick={() => withProvider(offer)}>
            {leaving
              ? `Going to ${providerName(offer.issuer)}…`
              : `Sign in with ${providerName(offer.issuer)}`}
          </button>
          <p class="muted">
            Your identity provider's sign-in page opens, then brings you back here. Or use a token:
          </p>
        </div>
      )}
      <p>
        Paste an API token of this server (the first start writes one to <code>data/admin-token</code>;{' '}
        <code>npm run mgmt -- token create</code> makes others) or a JWT of your identity provider.
      </p>
      <form onSubmit={onSubmit}>
        <label for="token">Token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          aria-describedby={shown ? 'signin-error' : undefined}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
      {shown && (
        <p id="signin-error" class="error" role="alert">
          {shown}
        </p>
      )}
      <p class="muted">The token stays in this tab (sessionStorage) until you sign out or close it.</p>
    </section>
  );
}
