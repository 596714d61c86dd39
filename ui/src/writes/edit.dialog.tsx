import { useState } from 'preact/hooks';
import { tams } from '../api/http.ts';
import type { Flow, Source } from '../api/types.ts';
import { Dialog, Failure } from './dialog.tsx';
import type { ActionName } from './permissions.ts';
import { useCan } from './principal.ts';
import { TagsEditor } from './tags.editor.tsx';
import { sameValue, type TagRow, tagRows, tagsOf } from './tags.model.ts';

export type EditKind = 'flow' | 'source';
type Item = Flow | Source;

interface Step {
  what: string;
  method: 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
}

const ACTIONS = {
  flow: {
    labelDelete: 'flowLabelDelete',
    descriptionDelete: 'flowDescriptionDelete',
    tagDelete: 'flowTagDelete',
  },
  source: {
    labelDelete: 'sourceLabelDelete',
    descriptionDelete: 'sourceDescriptionDelete',
    tagDelete: 'sourceTagDelete',
  },
} as const satisfies Record<EditKind, Record<string, ActionName>>;

/** A text property's step: PUT the new text, or DELETE it when emptied (the delete scope). */
function textStep(base: string, key: 'label' | 'description', before: string | undefined, after: string) {
  if (after === (before ?? '')) return [];
  if (after === '')
    return [{ what: `Removing the ${key}`, method: 'DELETE', path: `${base}/${key}` } as Step];
  return [{ what: `Saving the ${key}`, method: 'PUT', path: `${base}/${key}`, body: after } as Step];
}

/**
 * The requests that take `item` to what the form holds, one per property, through the API's
 * own routes for them (`/label`, `/description`, `/tags/{name}`, `/read_only`), in an order a
 * read-only Flow allows: read-only cleared first, or set last.
 */
function steps(kind: EditKind, item: Item, form: Form, tags: Record<string, string | string[]>): Step[] {
  const base = `/${kind}s/${encodeURIComponent(item.id)}`;
  const edits: Step[] = [
    ...textStep(base, 'label', item.label, form.label.trim()),
    ...textStep(base, 'description', item.description, form.description),
  ];
  const before = item.tags ?? {};
  for (const name of Object.keys(before)) {
    if (!Object.hasOwn(tags, name)) {
      edits.push({
        what: `Removing the tag "${name}"`,
        method: 'DELETE',
        path: `${base}/tags/${encodeURIComponent(name)}`,
      });
    }
  }
  for (const [name, value] of Object.entries(tags)) {
    if (!sameValue(Object.hasOwn(before, name) ? before[name] : undefined, value)) {
      const path = `${base}/tags/${encodeURIComponent(name)}`;
      edits.push({ what: `Saving the tag "${name}"`, method: 'PUT', path, body: value });
    }
  }
  const wasReadOnly = kind === 'flow' && (item as Flow).read_only === true;
  if (kind !== 'flow' || form.readOnly === wasReadOnly) return edits;
  const readOnly: Step = {
    what: form.readOnly ? 'Making the Flow read-only' : 'Clearing read-only',
    method: 'PUT',
    path: `${base}/read_only`,
    body: form.readOnly,
  };
  return form.readOnly ? [...edits, readOnly] : [readOnly, ...edits];
}

interface Form {
  label: string;
  description: string;
  readOnly: boolean;
}

/**
 * Edits a Flow's or a Source's label, description and tags (and a Flow's read-only flag).
 * Only what the principal may do is offered: removing a label, a description or a tag is a
 * DELETE (the delete scope); while a Flow is read-only only the flag itself can change (the
 * API refuses the rest with 403).
 */
export function EditDialog({
  kind,
  item,
  onClose,
  onSaved,
}: {
  kind: EditKind;
  item: Item;
  onClose: () => void;
  onSaved: (item: Item) => void;
}) {
  const can = useCan();
  const actions = ACTIONS[kind];
  const noun = kind === 'flow' ? 'Flow' : 'Source';
  const wasReadOnly = kind === 'flow' && (item as Flow).read_only === true;
  const [form, setForm] = useState<Form>({
    label: item.label ?? '',
    description: item.description ?? '',
    readOnly: wasReadOnly,
  });
  const [rows, setRows] = useState<TagRow[]>(() => tagRows(item.tags));
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ error: unknown; doing: string }>();
  const locked = wasReadOnly && form.readOnly;
  const parsed = tagsOf(rows);
  const problems = [
    form.label.trim() === '' && item.label && !can(actions.labelDelete)
      ? 'Removing the label needs the delete scope.'
      : undefined,
    form.description === '' && item.description && !can(actions.descriptionDelete)
      ? 'Removing the description needs the delete scope.'
      : undefined,
    'problem' in parsed ? parsed.problem : undefined,
  ].filter((p) => p !== undefined);
  const planned = 'tags' in parsed ? steps(kind, item, form, parsed.tags) : [];

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    if (problems.length > 0 || planned.length === 0) return;
    setBusy(true);
    setFailure(undefined);
    let done = 0;
    for (const step of planned) {
      try {
        await tams(step.path, { method: step.method, ...(step.body !== undefined && { body: step.body }) });
        done++;
      } catch (error) {
        setFailure({ error, doing: step.what });
        break;
      }
    }
    // What the store holds now, saved in full or in part, read back through the API.
    const fresh = done > 0 ? await reread(kind, item.id) : undefined;
    setBusy(false);
    if (fresh !== undefined) onSaved(fresh);
    if (done === planned.length) onClose();
  };

  const set = (change: Partial<Form>) => setForm({ ...form, ...change });
  return (
    <Dialog title={`Edit ${noun} ${item.label || item.id}`} onClose={onClose} testid="edit-dialog">
      <form class="write-form" onSubmit={onSubmit}>
        {kind === 'flow' && (
          <label class="check">
            <input
              type="checkbox"
              name="read_only"
              checked={form.readOnly}
              onChange={(e) => set({ readOnly: e.currentTarget.checked })}
            />
            Read-only (its metadata, segments and the Flow itself cannot be changed or deleted)
          </label>
        )}
        {locked && (
          <p class="muted" data-testid="read-only-note">
            This Flow is read-only: clear read-only to change its label, description or tags.
          </p>
        )}
        <fieldset disabled={locked} class="plain-set">
          <label>
            <span>Label</span>
            <input name="label" value={form.label} onInput={(e) => set({ label: e.currentTarget.value })} />
          </label>
          <label>
            <span>Description</span>
            <textarea
              name="description"
              rows={3}
              value={form.description}
              onInput={(e) => set({ description: e.currentTarget.value })}
            />
          </label>
        </fieldset>
        <TagsEditor rows={rows} onChange={setRows} canRemove={can(actions.tagDelete)} disabled={locked} />
        {problems.map((p) => (
          <p class="error" key={p}>
            {p}
          </p>
        ))}
        {failure && <Failure error={failure.error} doing={failure.doing} />}
        <div class="dialog-buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy || problems.length > 0 || planned.length === 0}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

async function reread(kind: EditKind, id: string): Promise<Item | undefined> {
  try {
    const query = kind === 'flow' ? { include_timerange: true } : {};
    return (await tams<Item>(`/${kind}s/${encodeURIComponent(id)}`, { query })).body;
  } catch {
    return undefined;
  }
}
