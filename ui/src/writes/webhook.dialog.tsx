import { useState } from 'preact/hooks';
import { tams } from '../api/http.ts';
import { Dialog, Failure } from './dialog.tsx';
import { TagsEditor } from './tags.editor.tsx';
import { type TagRow, tagRows, tagsOf } from './tags.model.ts';
import { EVENT_TYPES, type WebhookDoc } from './writes.types.ts';

interface Form {
  url: string;
  events: string[];
  apiKeyName: string;
  apiKeyValue: string;
  status: 'created' | 'disabled';
  flowIds: string;
  sourceIds: string;
}

const ids = (text: string) =>
  text
    .split(/\s+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** What the server answers and a client never sends back. */
function sendable(webhook: WebhookDoc): Record<string, unknown> {
  const { status: _status, error: _error, owner: _owner, ...rest } = webhook;
  return rest;
}

/**
 * The body of a POST (a new webhook) or of a PUT, which replaces the webhook's configuration:
 * what the form does not show (collection filters, URL choices, object timeranges) is sent back
 * as it was, and an API key value left empty keeps the stored one (the server never shows it).
 */
function bodyOf(form: Form, tags: Record<string, string | string[]>, webhook?: WebhookDoc) {
  const body: Record<string, unknown> = webhook ? sendable(webhook) : {};
  body.url = form.url.trim();
  body.events = form.events;
  body.status = form.status;
  body.tags = tags;
  for (const [key, text] of [
    ['flow_ids', form.flowIds],
    ['source_ids', form.sourceIds],
  ] as const) {
    if (ids(text).length > 0) body[key] = ids(text);
    else delete body[key];
  }
  delete body.api_key_value;
  if (form.apiKeyName.trim() === '') delete body.api_key_name;
  else {
    body.api_key_name = form.apiKeyName.trim();
    if (form.apiKeyValue !== '') body.api_key_value = form.apiKeyValue;
  }
  return body;
}

/**
 * Registers a webhook (POST /service/webhooks, the read and write scopes) or changes one (PUT
 * /service/webhooks/{id}, the same): its URL, events, API key, Flow and Source filters, tags,
 * and whether it delivers.
 */
export function WebhookDialog({
  webhook,
  onClose,
  onSaved,
}: {
  webhook?: WebhookDoc;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [form, setForm] = useState<Form>({
    url: webhook?.url ?? '',
    events: webhook?.events ?? ['flows/segments_added'],
    apiKeyName: webhook?.api_key_name ?? '',
    apiKeyValue: '',
    status: webhook?.status === 'disabled' ? 'disabled' : 'created',
    flowIds: (webhook?.flow_ids ?? []).join('\n'),
    sourceIds: (webhook?.source_ids ?? []).join('\n'),
  });
  const [rows, setRows] = useState<TagRow[]>(() => tagRows(webhook?.tags));
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const set = (change: Partial<Form>) => setForm({ ...form, ...change });
  const parsed = tagsOf(rows);
  const problem =
    'problem' in parsed
      ? parsed.problem
      : form.events.length === 0
        ? 'Choose at least one event.'
        : undefined;

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    if (!('tags' in parsed) || problem !== undefined) return;
    setBusy(true);
    setFailure(undefined);
    try {
      const body = bodyOf(form, parsed.tags, webhook);
      if (webhook) await tams(`/service/webhooks/${encodeURIComponent(webhook.id)}`, { method: 'PUT', body });
      else await tams('/service/webhooks', { method: 'POST', body });
      onSaved();
      onClose();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  const toggle = (type: string, on: boolean) =>
    set({ events: on ? [...form.events, type] : form.events.filter((e) => e !== type) });
  return (
    <Dialog title={webhook ? 'Edit webhook' : 'New webhook'} onClose={onClose} testid="webhook-dialog">
      <form class="write-form" onSubmit={onSubmit}>
        <label>
          <span>URL the events are POSTed to</span>
          <input
            name="url"
            type="url"
            required
            value={form.url}
            onInput={(e) => set({ url: e.currentTarget.value })}
          />
        </label>
        <fieldset class="events">
          <legend>Events</legend>
          {EVENT_TYPES.map((type) => (
            <label class="check" key={type}>
              <input
                type="checkbox"
                name="events"
                value={type}
                checked={form.events.includes(type)}
                onChange={(e) => toggle(type, e.currentTarget.checked)}
              />
              {type}
            </label>
          ))}
        </fieldset>
        <div class="pair">
          <label>
            <span>API key header</span>
            <input
              name="api_key_name"
              value={form.apiKeyName}
              onInput={(e) => set({ apiKeyName: e.currentTarget.value })}
            />
          </label>
          <label>
            <span>API key value{webhook?.api_key_name ? ' (empty: unchanged)' : ''}</span>
            <input
              name="api_key_value"
              type="password"
              autocomplete="off"
              value={form.apiKeyValue}
              onInput={(e) => set({ apiKeyValue: e.currentTarget.value })}
            />
          </label>
        </div>
        <div class="pair">
          <label>
            <span>Only these Flows (ids, one per line)</span>
            <textarea
              name="flow_ids"
              rows={2}
              value={form.flowIds}
              onInput={(e) => set({ flowIds: e.currentTarget.value })}
            />
          </label>
          <label>
            <span>Only these Sources (ids, one per line)</span>
            <textarea
              name="source_ids"
              rows={2}
              value={form.sourceIds}
              onInput={(e) => set({ sourceIds: e.currentTarget.value })}
            />
          </label>
        </div>
        <label>
          <span>Deliveries</span>
          <select
            name="status"
            value={form.status}
            onChange={(e) => set({ status: e.currentTarget.value as Form['status'] })}
          >
            <option value="created">{webhook?.status === 'error' ? 'enable again' : 'on'}</option>
            <option value="disabled" disabled={webhook?.status === 'error'}>
              disabled
            </option>
          </select>
        </label>
        {webhook?.status === 'error' && (
          <p class="muted">
            Deliveries are suspended ({webhook.error?.summary ?? 'error'}); saving enables them again with
            your credentials.
          </p>
        )}
        <TagsEditor rows={rows} onChange={setRows} canRemove={true} />
        {problem && <p class="error">{problem}</p>}
        {failure !== undefined && <Failure error={failure} doing="Saving the webhook" />}
        <div class="dialog-buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy || problem !== undefined}>
            {busy ? 'Saving…' : webhook ? 'Save' : 'Register'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Removes a webhook (DELETE /service/webhooks/{id}, the delete scope). */
export function RemoveWebhookDialog({
  webhook,
  onClose,
  onSaved,
}: {
  webhook: WebhookDoc;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const onRemove = async () => {
    setBusy(true);
    try {
      await tams(`/service/webhooks/${encodeURIComponent(webhook.id)}`, { method: 'DELETE' });
      onSaved();
      onClose();
    } catch (error) {
      setFailure(error);
      setBusy(false);
    }
  };
  return (
    <Dialog title="Remove webhook" onClose={onClose} testid="remove-webhook-dialog">
      <div class="write-form">
        <p>
          The webhook <code>{webhook.id}</code> stops receiving events at{' '}
          <code class="break">{webhook.url}</code> ({webhook.events.join(', ')}) and is removed.
        </p>
        {failure !== undefined && <Failure error={failure} doing="Removing the webhook" />}
        <div class="dialog-buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" class="danger" disabled={busy} onClick={onRemove}>
            {busy ? 'Removing…' : 'Remove'}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
