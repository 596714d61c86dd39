import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { isAbort } from '../api/http.ts';
import type { Tags } from '../api/types.ts';

/** The page's heading, focused when the page opens so that keyboard and screen reader users start there. */
export function PageTitle({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus({ preventScroll: true }), []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

export function ErrorMessage({ error }: { error: unknown }) {
  return (
    <p class="error" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'error'; error: unknown }
  | { state: 'done'; value: T };

/** The result of `load`, run again whenever `key` changes (the previous run is aborted). */
export function useLoad<T>(key: string, load: (signal: AbortSignal) => Promise<T>): Loaded<T> {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  // Run again for a new `key` alone: `load` is a new closure on every render, `key` names what it reads.
  useEffect(() => {
    const controller = new AbortController();
    setResult({ state: 'loading' });
    load(controller.signal).then(
      (value) => setResult({ state: 'done', value }),
      (error) => !isAbort(error) && setResult({ state: 'error', error }),
    );
    return () => controller.abort();
  }, [key]);
  return result;
}

/** What a load shows: a status while loading, the error, or `children` of the value. */
export function Await<T>({
  result,
  what,
  children,
}: {
  result: Loaded<T>;
  what: string;
  children: (value: T) => ComponentChildren;
}) {
  if (result.state === 'loading') return <Loading what={what} />;
  if (result.state === 'error') return <ErrorMessage error={result.error} />;
  return <>{children(result.value)}</>;
}

/** A list page's table (scrolling sideways inside its frame on narrow screens), or `empty`. */
/** A list table's column: its name, or with `wide` (left out on narrow screens) or `hidden` (read out, not shown). */
export type Column = string | { name: string; wide?: true; hidden?: true };

export const wide = (name: string): Column => ({ name, wide: true });
/** The column of a row's buttons. */
export const ACTIONS: Column = { name: 'Actions', hidden: true };

/** A list table's heading cells. */
export function ColumnHeads({ columns }: { columns: readonly Column[] }) {
  return (
    <>
      {columns.map((column) => {
        const { name, wide, hidden } = typeof column === 'string' ? { name: column } : column;
        return (
          <th key={name} scope="col" class={wide ? 'wide' : undefined}>
            {hidden ? <span class="visually-hidden">{name}</span> : name}
          </th>
        );
      })}
    </>
  );
}

export function ListTable<T>({
  items,
  empty,
  testid,
  columns,
  row,
}: {
  items: readonly T[];
  empty: string;
  testid: string;
  columns: readonly Column[];
  row: (item: T, index: number) => ComponentChildren;
}) {
  if (items.length === 0) return <p class="muted">{empty}</p>;
  return (
    <div class="table-wrap">
      <table class="list" data-testid={testid}>
        <thead>
          <tr>
            <ColumnHeads columns={columns} />
          </tr>
        </thead>
        <tbody>{items.map(row)}</tbody>
      </table>
    </div>
  );
}

/**
 * Tags as name and value. A list-valued tag (TAMS 8.2) shows its items one by one, as a list of
 * its own, so that it never reads like a string holding commas (7.0 clients may write one).
 */
export function TagList({ tags }: { tags: Tags | undefined }) {
  const entries = Object.entries(tags ?? {});
  if (entries.length === 0) return <span class="muted">none</span>;
  return (
    <ul class="tags">
      {entries.map(([name, value]) => (
        <li key={name} data-tag={name}>
          <span class="tag-name">{name}</span>
          {Array.isArray(value) ? <TagItems items={value} /> : <span class="tag-value">{value}</span>}
        </li>
      ))}
    </ul>
  );
}

function TagItems({ items }: { items: string[] }) {
  if (items.length === 0) return <span class="tag-value muted">empty list</span>;
  return (
    <ul class="tag-items" title="A list of values">
      {items.map((item, i) => (
        // Items may repeat: their place is their key (the list is shown as sent, never reordered).
        <li key={i} class="tag-item">
          {item}
        </li>
      ))}
    </ul>
  );
}

/** A status word (a Flow's, a webhook's, a deletion request's) as a badge styled by its value. */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status}`}>{status.replaceAll('_', ' ')}</span>;
}

/** A row of a properties table (`table.props`): its name and value. */
export function PropRow({ name, children }: { name: string; children: ComponentChildren }) {
  return (
    <tr>
      <th scope="row">{name}</th>
      <td>{children}</td>
    </tr>
  );
}

/** JSON as sent (essence parameters, a Profile's technical metadata), indented. */
export function JsonBlock({ value }: { value: unknown }) {
  return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
}

/** A UUID shortened for tables, whole in its tooltip and for copying. */
export function ShortId({ id }: { id: string }) {
  return (
    <code class="id" title={id}>
      {id.slice(0, 8)}
    </code>
  );
}

/** `urn:x-nmos:format:video` → `video` (images are `urn:x-tam:format:image`). */
export function formatName(format: string | undefined): string {
  return format?.replace(/^urn:x-(nmos|tam):format:/, '') ?? '';
}

/** The TAMS content formats: NMOS's, and TAMS's own for images. */
export const FORMATS: Record<string, string> = {
  video: 'urn:x-nmos:format:video',
  audio: 'urn:x-nmos:format:audio',
  data: 'urn:x-nmos:format:data',
  image: 'urn:x-tam:format:image',
  multi: 'urn:x-nmos:format:multi',
};
