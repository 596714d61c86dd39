import { FLOW_STATUSES, type Flow } from '../api/types.ts';
import { StatusBadge } from './common.tsx';

const KNOWN: ReadonlySet<string> = new Set(FLOW_STATUSES);

/**
 * Where a Flow's status is said: 8.2's `status` field, else AppNote 0003's `flow_status` tag
 * (what 7.0 clients and live encoders set), the way the page decides whether a Flow may grow.
 */
export function flowStatusOf(flow: Flow): { status: string; from: 'field' | 'tag' } | undefined {
  if (flow.status) return { status: flow.status, from: 'field' };
  const tag = flow.tags?.flow_status;
  const value = Array.isArray(tag) ? tag[0] : tag;
  return value ? { status: value, from: 'tag' } : undefined;
}

/** The Flow's status as a badge, saying when it comes from the `flow_status` tag. */
export function FlowStatusCell({ flow }: { flow: Flow }) {
  const found = flowStatusOf(flow);
  if (found === undefined) return <span class="muted">none</span>;
  // A tag's value is any text: styled as a known status only when it is one.
  const badge = KNOWN.has(found.status) ? (
    <StatusBadge status={found.status} />
  ) : (
    <span class="badge">{found.status}</span>
  );
  return (
    <span data-testid="flow-status" data-from={found.from}>
      {badge}
      {found.from === 'tag' && (
        <span class="muted" title="AppNote 0003's flow_status tag: the Flow has no 8.2 status field">
          {' '}
          (<code>flow_status</code> tag)
        </span>
      )}
    </span>
  );
}
