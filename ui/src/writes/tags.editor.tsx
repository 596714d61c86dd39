import type { Tags } from '../api/types.ts';

/**
 * One tag being edited: a string, or (TAMS 8.2) a list of strings, one per line, so that an
 * item may hold a comma. `original` is the name it had when the editor opened (undefined: new).
 */
export interface TagRow {
  key: number;
  name: string;
  list: boolean;
  text: string;
  original?: string;
}

let nextKey = 0;

export function tagRows(tags: Tags | undefined): TagRow[] {
  return Object.entries(tags ?? {}).map(([name, value]) => ({
    key: nextKey++,
    name,
    list: Array.isArray(value),
    text: Array.isArray(value) ? value.join('\n') : value,
    original: name,
  }));
}

export function rowValue(row: TagRow): string | string[] {
  return row.list ? row.text.split('\n').filter((item) => item !== '') : row.text;
}

/** The tags the rows make, or why they cannot be saved. */
export function tagsOf(rows: readonly TagRow[]): { tags: Tags } | { problem: string } {
  const tags: Tags = {};
  for (const row of rows) {
    const name = row.name.trim();
    if (name === '') return { problem: 'Every tag needs a name.' };
    if (name in tags) return { problem: `Two tags are named "${name}".` };
    tags[name] = rowValue(row);
  }
  return { tags };
}

export function sameValue(a: string | string[] | undefined, b: string | string[]): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/**
 * Rows of tags to edit. `canRemove`: whether a tag may be removed (on a Flow or Source that is
 * a DELETE, which needs the delete scope; a webhook's tags are replaced with it). A tag that
 * cannot be removed cannot be renamed either, since that removes its old name.
 */
export function TagsEditor({
  rows,
  onChange,
  canRemove,
  disabled,
}: {
  rows: TagRow[];
  onChange: (rows: TagRow[]) => void;
  canRemove: boolean;
  disabled?: boolean;
}) {
  const update = (key: number, change: Partial<TagRow>) =>
    onChange(rows.map((row) => (row.key === key ? { ...row, ...change } : row)));
  return (
    <fieldset class="tags-editor" disabled={disabled}>
      <legend>Tags</legend>
      {rows.length === 0 && <p class="muted">No tags.</p>}
      {rows.map((row) => {
        const fixedName = row.original !== undefined && !canRemove;
        return (
          <div class="tag-row" key={row.key} data-tag-row={row.name}>
            <label>
              <span>Name</span>
              <input
                value={row.name}
                readOnly={fixedName}
                title={fixedName ? 'Renaming removes the old name, which needs the delete scope' : undefined}
                onInput={(e) => update(row.key, { name: e.currentTarget.value })}
              />
            </label>
            <label class="tag-kind">
              <span>Kind</span>
              <select
                value={row.list ? 'list' : 'string'}
                onChange={(e) => update(row.key, { list: e.currentTarget.value === 'list' })}
              >
                <option value="string">text</option>
                <option value="list">list</option>
              </select>
            </label>
            <div class="tag-text">
              <label for={`tag-value-${row.key}`}>{row.list ? 'Items, one per line' : 'Value'}</label>
              {row.list ? (
                <textarea
                  id={`tag-value-${row.key}`}
                  rows={Math.max(2, row.text.split('\n').length)}
                  value={row.text}
                  onInput={(e) => update(row.key, { text: e.currentTarget.value })}
                />
              ) : (
                <input
                  id={`tag-value-${row.key}`}
                  value={row.text}
                  onInput={(e) => update(row.key, { text: e.currentTarget.value })}
                />
              )}
            </div>
            {(canRemove || row.original === undefined) && (
              <button
                type="button"
                class="remove"
                aria-label={`Remove tag ${row.name}`}
                onClick={() => onChange(rows.filter((r) => r.key !== row.key))}
              >
                Remove
              </button>
            )}
          </div>
        );
      })}
      <button
        type="button"
        onClick={() => onChange([...rows, { key: nextKey++, name: '', list: false, text: '' }])}
      >
        Add a tag
      </button>
    </fieldset>
  );
}
