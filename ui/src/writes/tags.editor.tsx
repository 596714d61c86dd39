import { nextTagKey, type TagRow } from './tags.model.ts';

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
        onClick={() => onChange([...rows, { key: nextTagKey(), name: '', list: false, text: '' }])}
      >
        Add a tag
      </button>
    </fieldset>
  );
}
