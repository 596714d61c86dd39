import { useState } from 'preact/hooks';
import { api } from '../api/http.ts';
import { storedToken } from '../api/session.ts';
import {
  ACTIONS,
  Await,
  ListTable,
  PageTitle,
  ShortId,
  StatusBadge,
  useLoad,
  wide,
} from '../components/common.tsx';
import { Dialog, Failure } from './dialog.tsx';
import type { IssuedToken, Token } from './writes.types.ts';
import './writes.css';

const SCOPES = ['read', 'write', 'delete', 'admin'] as const;
/** The validities offered (seconds; the API takes any up to 100 years). */
const VALIDITY = [
  { label: 'never expires', seconds: undefined },
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86_400 },
  { label: '30 days', seconds: 30 * 86_400 },
  { label: '1 year', seconds: 365 * 86_400 },
] as const;

function tokenState(token: Token, now: number): 'active' | 'revoked' | 'expired' {
  if (token.revoked) return 'revoked';
  if (token.expires && Date.parse(token.expires) <= now) return 'expired';
  return 'active';
}

/**
 * The server's API tokens (GET /auth/tokens, the admin scope; never their values): issued here
 * (the value shown this once, with a button to copy it) and revoked.
 */
export function TokensPage() {
  const [revision, setRevision] = useState(0);
  const [issued, setIssued] = useState<IssuedToken>();
  const [revoking, setRevoking] = useState<Token>();
  const changed = () => setRevision((r) => r + 1);
  const result = useLoad(
    `tokens ${revision}`,
    async (signal) => (await api<Token[]>('/auth/tokens', { signal })).body,
  );
  const now = Date.now();
  return (
    <section>
      <PageTitle>API tokens</PageTitle>
      <NewToken
        onIssued={(token) => {
          setIssued(token);
          changed();
        }}
      />
      {issued && <IssuedValue token={issued} onDone={() => setIssued(undefined)} />}
      <h2>Tokens</h2>
      <Await result={result} what="the tokens">
        {(tokens) => (
          <ListTable
            items={[...tokens].sort((a, b) => b.created.localeCompare(a.created))}
            empty="No API token."
            testid="tokens"
            columns={[
              'Name',
              'Acts as',
              'Scopes',
              'State',
              wide('Starts with'),
              wide('Created'),
              wide('Expires'),
              'Id',
              ACTIONS,
            ]}
            row={(t) => {
              const state = tokenState(t, now);
              return (
                <tr key={t.id} data-token={t.name}>
                  <td>{t.name}</td>
                  <td>{t.principal}</td>
                  <td>{t.scopes.join(', ')}</td>
                  <td>
                    <StatusBadge status={state} />
                  </td>
                  <td class="wide">
                    <code>{t.hint}</code>
                  </td>
                  <td class="wide">
                    {t.created}
                    {t.created_by ? ` by ${t.created_by}` : ''}
                  </td>
                  <td class="wide">{t.revoked ? `revoked ${t.revoked}` : (t.expires ?? 'never')}</td>
                  <td>
                    <ShortId id={t.id} />
                  </td>
                  <td>
                    {state === 'active' && (
                      <button
                        type="button"
                        class="small danger"
                        aria-label={`Revoke token ${t.name}`}
                        onClick={() => setRevoking(t)}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              );
            }}
          />
        )}
      </Await>
      {revoking && (
        <RevokeDialog token={revoking} onClose={() => setRevoking(undefined)} onRevoked={changed} />
      )}
    </section>
  );
}

function NewToken({ onIssued }: { onIssued: (token: IssuedToken) => void }) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const validity = VALIDITY[Number(data.get('validity'))]?.seconds;
    const principal = String(data.get('principal') ?? '').trim();
    const body = {
      name: String(data.get('name') ?? '').trim(),
      scopes: data.getAll('scopes').map(String),
      ...(principal !== '' && { principal }),
      ...(validity !== undefined && { expires_in: validity }),
    };
    setBusy(true);
    setFailure(undefined);
    try {
      onIssued((await api<IssuedToken>('/auth/tokens', { method: 'POST', body })).body);
      form.reset();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="write-form token-form"
      onSubmit={onSubmit}
      aria-label="Issue a token"
      data-testid="new-token"
    >
      <h2>Issue a token</h2>
      <div class="pair">
        <label>
          <span>Name</span>
          <input name="name" required />
        </label>
        <label>
          <span>Acts as (empty: its name)</span>
          <input name="principal" />
        </label>
        <label>
          <span>Validity</span>
          <select name="validity">
            {VALIDITY.map((v, i) => (
              <option value={i} key={v.label}>
                {v.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <fieldset class="scopes">
        <legend>Scopes</legend>
        {SCOPES.map((scope) => (
          <label class="check" key={scope}>
            <input type="checkbox" name="scopes" value={scope} defaultChecked={scope === 'read'} />
            {scope}
          </label>
        ))}
      </fieldset>
      {failure !== undefined && <Failure error={failure} doing="Issuing the token" />}
      <div class="dialog-buttons">
        <button type="submit" disabled={busy}>
          {busy ? 'Issuing…' : 'Issue token'}
        </button>
      </div>
    </form>
  );
}

/** The new token's value: shown this once (the server keeps only its hash), with a copy button. */
function IssuedValue({ token, onDone }: { token: IssuedToken; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'no'>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token.token);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };
  return (
    <Dialog title={`Token "${token.name}" issued`} onClose={onDone} testid="issued-token">
      <div class="write-form">
        <p>
          Copy it now: this is the only time it is shown. It grants <strong>{token.scopes.join(', ')}</strong>
          , acting as <strong>{token.principal}</strong>
          {token.expires ? `, until ${token.expires}` : ''}.
        </p>
        <div class="copy-row">
          <label for="issued-value" class="visually-hidden">
            The token
          </label>
          <input
            id="issued-value"
            readOnly
            value={token.token}
            spellcheck={false}
            onFocus={(e) => e.currentTarget.select()}
          />
          <button type="button" onClick={copy}>
            Copy
          </button>
        </div>
        <p role="status" class="muted">
          {copied === 'yes' && 'Copied to the clipboard.'}
          {copied === 'no' && 'The browser refused the clipboard: select the token and copy it.'}
        </p>
        <div class="dialog-buttons">
          <button type="button" onClick={onDone}>
            Done
          </button>
        </div>
      </div>
    </Dialog>
  );
}

/** Whether the tab's own token starts as `token`'s hint (the hint alone cannot tell for sure). */
function mayBeSession(token: Token): boolean {
  const start = token.hint.replace(/…$/, '');
  return start !== '' && (storedToken()?.startsWith(start) ?? false);
}

function RevokeDialog({
  token,
  onClose,
  onRevoked,
}: {
  token: Token;
  onClose: () => void;
  onRevoked: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const onRevoke = async () => {
    setBusy(true);
    try {
      await api(`/auth/tokens/${encodeURIComponent(token.id)}`, { method: 'DELETE' });
      onRevoked();
      onClose();
    } catch (error) {
      setFailure(error);
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Revoke token "${token.name}"`} onClose={onClose} testid="revoke-dialog">
      <div class="write-form">
        <p>
          Requests with it are refused from now on (scopes {token.scopes.join(', ')}, acting as{' '}
          {token.principal}), and the webhooks it registered stop delivering. A revoked token cannot be
          restored.
        </p>
        {mayBeSession(token) && (
          <p class="warning">
            It starts as the token this tab signed in with: if it is that one, revoking it signs you out.
          </p>
        )}
        {failure !== undefined && <Failure error={failure} doing="Revoking the token" />}
        <div class="dialog-buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" class="danger" disabled={busy} onClick={onRevoke}>
            {busy ? 'Revoking…' : 'Revoke'}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
