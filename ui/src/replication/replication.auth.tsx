import type { AuthKind, ReplicationForm } from './replication.form.ts';

const KINDS: readonly { kind: AuthKind; text: string }[] = [
  { kind: 'none', text: 'none (the origin lets anyone read)' },
  { kind: 'bearer', text: 'a bearer token' },
  { kind: 'basic', text: 'user name and password (Basic)' },
  { kind: 'client_credentials', text: 'OAuth 2.0 client credentials' },
];

type Set = (change: Partial<ReplicationForm>) => void;

/**
 * How the job signs in at the origin, with the fields that kind needs. Secrets are password
 * inputs, never autofilled: the server keeps them and never shows them back.
 */
export function OriginAuthFields({ form, set }: { form: ReplicationForm; set: Set }) {
  return (
    <fieldset class="plain-set">
      <label>
        <span>Authentication at the origin</span>
        <select
          name="auth"
          value={form.auth}
          onChange={(e) => {
            const value = e.currentTarget.value;
            set({ auth: KINDS.find((k) => k.kind === value)?.kind ?? 'none' });
          }}
        >
          {KINDS.map(({ kind, text }) => (
            <option key={kind} value={kind}>
              {text}
            </option>
          ))}
        </select>
      </label>
      {form.auth === 'bearer' && (
        <Secret name="token" text="Token" value={form.token} onInput={(token) => set({ token })} />
      )}
      {form.auth === 'basic' && (
        <div class="pair">
          <Plain
            name="username"
            text="User name"
            value={form.username}
            onInput={(username) => set({ username })}
          />
          <Secret
            name="password"
            text="Password"
            value={form.password}
            onInput={(password) => set({ password })}
          />
        </div>
      )}
      {form.auth === 'client_credentials' && (
        <>
          <Plain
            name="token_url"
            text="Token endpoint (checked against the allow-list as the origin is)"
            value={form.tokenUrl}
            onInput={(tokenUrl) => set({ tokenUrl })}
          />
          <div class="pair">
            <Plain
              name="client_id"
              text="Client id"
              value={form.clientId}
              onInput={(clientId) => set({ clientId })}
            />
            <Secret
              name="client_secret"
              text="Client secret"
              value={form.clientSecret}
              onInput={(clientSecret) => set({ clientSecret })}
            />
          </div>
          <Plain
            name="scope"
            text="Scope (optional)"
            value={form.scope}
            onInput={(scope) => set({ scope })}
          />
        </>
      )}
    </fieldset>
  );
}

interface FieldProps {
  name: string;
  text: string;
  value: string;
  onInput: (value: string) => void;
}

function Plain({ name, text, value, onInput }: FieldProps) {
  return (
    <label>
      <span>{text}</span>
      <input name={name} autocomplete="off" value={value} onInput={(e) => onInput(e.currentTarget.value)} />
    </label>
  );
}

function Secret({ name, text, value, onInput }: FieldProps) {
  return (
    <label>
      <span>{text}</span>
      <input
        name={name}
        type="password"
        autocomplete="new-password"
        value={value}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
    </label>
  );
}
