import { useState } from 'preact/hooks';
import { PageTitle } from '../components/common.tsx';

/**
 * Sign-in with an API token (or a JWT): checked with GET /auth/whoami, then kept for the tab's
 * life in sessionStorage and sent as `Authorization: Bearer` with every request.
 */
export function SignInPage({
  error,
  onSignIn,
}: {
  error?: string;
  onSignIn: (token: string) => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
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
  return (
    <section class="signin">
      <PageTitle>Sign in</PageTitle>
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
          aria-describedby={error ? 'signin-error' : undefined}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
      {error && (
        <p id="signin-error" class="error" role="alert">
          {error}
        </p>
      )}
      <p class="muted">The token stays in this tab (sessionStorage) until you sign out or close it.</p>
    </section>
  );
}
