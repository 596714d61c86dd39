import { useState } from 'preact/hooks';
import type { Webhook } from '../api/types.ts';
import { RemoveWebhookDialog, WebhookDialog } from './dialogs.lazy.ts';
import { useCan } from './principal.ts';

/** "New webhook", for principals the API lets register one (the read and write scopes). */
export function WebhookCreate({ onChanged }: { onChanged: () => void }) {
  const can = useCan();
  const [open, setOpen] = useState(false);
  if (!can('webhookCreate')) return null;
  return (
    <div class="write-actions">
      <button type="button" onClick={() => setOpen(true)}>
        New webhook
      </button>
      {open && <WebhookDialog onClose={() => setOpen(false)} onSaved={onChanged} />}
    </div>
  );
}

/**
 * A listed webhook's "Edit" (read and write) and "Remove" (delete). The listing holds only the
 * webhooks the caller manages (its own; everyone's for administrators), so no other check is
 * needed.
 */
export function WebhookActions({ webhook, onChanged }: { webhook: Webhook; onChanged: () => void }) {
  const can = useCan();
  const [open, setOpen] = useState<'edit' | 'remove'>();
  const close = () => setOpen(undefined);
  const name = `webhook ${webhook.url}`;
  return (
    <div class="row-actions">
      {can('webhookUpdate') && (
        <button type="button" class="small" aria-label={`Edit ${name}`} onClick={() => setOpen('edit')}>
          Edit
        </button>
      )}
      {can('webhookDelete') && (
        <button
          type="button"
          class="small danger"
          aria-label={`Remove ${name}`}
          onClick={() => setOpen('remove')}
        >
          Remove
        </button>
      )}
      {open === 'edit' && <WebhookDialog webhook={webhook} onClose={close} onSaved={onChanged} />}
      {open === 'remove' && <RemoveWebhookDialog webhook={webhook} onClose={close} onSaved={onChanged} />}
    </div>
  );
}
