import { useRef, useState } from 'preact/hooks';
import { ApiError, api, apiUrl, authHeaders } from '../api/http.ts';
import type { Whoami } from '../api/types.ts';
import { ErrorMessage, useLoad } from '../components/common.tsx';
import './flow.views.css';

/** How long a token made for a playlist URL reads the store. */
const TOKEN_SECONDS = 3600;

interface IssuedToken {
  token: string;
  expires?: string;
}

/** A name for the token (`hls-<flow>-<time>`): unique among active tokens, and saying what it was for. */
function tokenName(flowId: string): string {
  return `hls-${flowId.slice(0, 8)}-${Date.now().toString(36)}`;
}

/**
 * POST /auth/tokens (admin): a read-only token that expires. Its own request rather than `api`,
 * which sends no body.
 */
async function issueReadToken(name: string, principal: string | null | undefined): Promise<IssuedToken> {
  const res = await fetch(apiUrl('/auth/tokens'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...authHeaders() },
    body: JSON.stringify({
      name,
      scopes: ['read'],
      expires_in: TOKEN_SECONDS,
      // Acting as the admin who made it, where that name is one a token may carry.
      ...(principal && /^[A-Za-z0-9._@-]{1,64}$/.test(principal) ? { principal } : {}),
    }),
  });
  const body = (await res.json().catch(() => ({}))) as Partial<IssuedToken> & { summary?: string };
  if (!res.ok || typeof body.token !== 'string') {
    throw new ApiError(res.status, `${res.status} ${body.summary ?? res.statusText}`);
  }
  return { token: body.token, expires: body.expires };
}

/**
 * Puts `text` on the clipboard; where the Clipboard API is missing or refused (a page not served
 * over HTTPS or localhost, a browser asking for permission), selects it in `field` for the user
 * to copy, and says so.
 */
async function copy(text: string, field: HTMLInputElement | null): Promise<'copied' | 'selected'> {
  try {
    await navigator.clipboard.writeText(text);
    return 'copied';
  } catch {
    field?.focus();
    field?.select();
    return 'selected';
  }
}

/**
 * The Flow's HLS playlist URL, to copy into ffplay, VLC or mpv. Those players cannot send the
 * sign-in token's Authorization header, and the server takes a token in the URL instead
 * (`access_token`): an administrator can make one here, read-only and valid for an hour; others
 * are told what the URL needs. With authentication off the URL is enough.
 */
export function HlsUrl({ flowId }: { flowId: string }) {
  const who = useLoad('whoami', async (signal) => (await api<Whoami>('/auth/whoami', { signal })).body);
  const [token, setToken] = useState<IssuedToken | undefined>();
  const [status, setStatus] = useState<string>('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  const url = apiUrl(`/flows/${encodeURIComponent(flowId)}/hls.m3u8`);
  if (token) url.searchParams.set('access_token', token.token);
  const text = url.toString();
  const principal = who.state === 'done' ? who.value : undefined;
  const authOff = principal?.scheme === 'none';
  const admin = principal?.scopes.includes('admin') === true;

  const onCopy = async () => {
    const how = await copy(text, field.current);
    setStatus(how === 'copied' ? 'Copied.' : 'Selected: press Ctrl+C (⌘C) to copy.');
  };
  const onToken = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setToken(await issueReadToken(tokenName(flowId), principal?.name));
      setStatus('');
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="hls-url" aria-labelledby="hls-heading">
      <h2 id="hls-heading">Playlist URL</h2>
      <div class="hls-row">
        <label for="hls-url-field" class="visually-hidden">
          HLS playlist URL
        </label>
        <input id="hls-url-field" ref={field} type="text" readOnly value={text} data-testid="hls-url" />
        <button type="button" onClick={onCopy}>
          Copy
        </button>
        <span role="status" class="muted" data-testid="hls-copy-status">
          {status}
        </span>
      </div>
      <p class="muted small">
        For ffplay, VLC, mpv or Safari: <code>ffplay "URL"</code>.
      </p>
      {principal === undefined || authOff ? null : token ? (
        <p data-testid="hls-token-note">
          The URL holds a read-only token valid until{' '}
          {token.expires ? new Date(token.expires).toLocaleString() : 'it is revoked'}: anyone with the URL
          reads the whole store until then. It is listed with the API tokens, where it can be revoked.
        </p>
      ) : (
        <p data-testid="hls-token-note">
          This server needs credentials: the URL plays with the header{' '}
          <code>Authorization: Bearer &lt;token&gt;</code> (
          <code>ffplay -headers "Authorization: Bearer …" URL</code>), or with{' '}
          <code>?access_token=&lt;token&gt;</code> added, best a read-only token of its own.
          {admin && (
            <>
              {' '}
              <button type="button" onClick={onToken} disabled={busy}>
                {busy ? 'Making a token…' : 'Add a read-only token valid for 1 hour'}
              </button>
            </>
          )}
        </p>
      )}
      {error !== undefined && <ErrorMessage error={error} />}
    </section>
  );
}
