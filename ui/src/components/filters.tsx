import { navigate, withQuery } from '../router.ts';
import { FORMATS } from './common.tsx';

export interface FilterField {
  name: string;
  label: string;
  /** Choices of a select; a text input otherwise. */
  options?: { value: string; label: string }[];
  placeholder?: string;
}

/** TAMS tag filters: `tag.{name}=value`, and `tag_exists.{name}=true` for any value. */
const TAG = /^(tag|tag_exists)\.(.+)$/;

/** The tag filter of a query, as its name and value (empty: the tag exists, whatever its value). */
export function tagFilter(query: URLSearchParams): { name: string; value: string } {
  for (const [key, value] of query) {
    const match = TAG.exec(key);
    if (match?.[2]) return { name: match[2], value: match[1] === 'tag' ? value : '' };
  }
  return { name: '', value: '' };
}

/** 8.2's `sort_by` of a listing: its default (newest first) and the others it takes. */
export function sortField(options: { value: string; label: string }[]): FilterField {
  return { name: 'sort_by', label: 'Sort', options: [{ value: '', label: 'newest first' }, ...options] };
}

export const FORMAT_FIELD: FilterField = {
  name: 'format',
  label: 'Format',
  options: [
    { value: '', label: 'any' },
    ...Object.entries(FORMATS).map(([label, value]) => ({ value, label })),
  ],
};

/**
 * The TAMS filters of a listing as a form: submitting it opens the first page with them (each
 * listing keeps its filters in its URL, so they survive reloads and can be shared).
 */
export function Filters({
  path,
  query,
  fields,
  keep = [],
  tags = true,
}: {
  path: string;
  query: URLSearchParams;
  fields: FilterField[];
  /** Query parameters kept as they are (e.g. source_id). */
  keep?: string[];
  /** Whether the listing takes tag filters (`tag.{name}`, `tag_exists.{name}`). */
  tags?: boolean;
}) {
  const tag = tagFilter(query);
  const onSubmit = (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const next: Record<string, string | undefined> = {};
    for (const name of keep) next[name] = query.get(name) ?? undefined;
    for (const field of fields) next[field.name] = String(data.get(field.name) ?? '').trim();
    const tagName = String(data.get('tag_name') ?? '').trim();
    const tagValue = String(data.get('tag_value') ?? '');
    if (tagName !== '' && tagValue !== '') next[`tag.${tagName}`] = tagValue;
    else if (tagName !== '') next[`tag_exists.${tagName}`] = 'true';
    navigate(withQuery(path, next));
  };
  return (
    // Uncontrolled fields, the form made anew for each query: typing is never undone by a render.
    <form key={query.toString()} class="filters" onSubmit={onSubmit} aria-label="Filters">
      {fields.map((field) => (
        <label key={field.name} for={`filter-${field.name}`}>
          <span>{field.label}</span>
          {field.options ? (
            <select id={`filter-${field.name}`} name={field.name}>
              {field.options.map((o) => (
                <option key={o.value} value={o.value} selected={o.value === (query.get(field.name) ?? '')}>
                  {o.label}
                </option>
              ))}
            </select>
          ) : (
            <input
              id={`filter-${field.name}`}
              name={field.name}
              defaultValue={query.get(field.name) ?? ''}
              placeholder={field.placeholder}
              autocomplete="off"
            />
          )}
        </label>
      ))}
      {tags && (
        <>
          <label>
            <span>Tag name</span>
            <input name="tag_name" defaultValue={tag.name} autocomplete="off" />
          </label>
          <label>
            <span>Tag value</span>
            <input
              name="tag_value"
              defaultValue={tag.value}
              placeholder="any"
              autocomplete="off"
              title="A string tag with this value, or a list tag holding it"
            />
          </label>
        </>
      )}
      <button type="submit">Filter</button>
    </form>
  );
}

/** The API query of a listing: the UI's query minus what is the UI's own. */
export function listingQuery(query: URLSearchParams, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of query) {
    if ((names.includes(key) || TAG.test(key) || key === 'page') && value !== '') out[key] = value;
  }
  return out;
}
