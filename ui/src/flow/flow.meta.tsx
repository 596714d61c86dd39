import type { Flow } from '../api/types.ts';
import { formatName, PropRow as Row, TagList } from '../components/common.tsx';
import { useFlowLabels } from '../components/flow.labels.ts';
import { FlowStatusCell } from '../components/flow.status.tsx';
import { href, withQuery } from '../router.ts';
import { durationText, type Span, utcText } from '../time.ts';
import { EssenceParameters } from './flow.essence.tsx';

/**
 * Links to Flows by label, each id beside it (muted) for telling apart Flows of one label and
 * for copying; `roles` adds a member's role.
 */
function FlowLinks({
  ids,
  roles,
  testid,
}: {
  ids: readonly string[];
  roles?: ReadonlyMap<string, string>;
  testid: string;
}) {
  const labels = useFlowLabels(ids);
  return (
    <ul class="plain flow-links" data-testid={testid}>
      {ids.map((id) => {
        const label = labels.get(id);
        const role = roles?.get(id);
        return (
          <li key={id}>
            <a href={href(`/flows/${id}`)}>{label ?? <code>{id}</code>}</a>
            {role ? ` (${role})` : ''}
            {label !== undefined && (
              <>
                {' '}
                <code class="muted flow-link-id">{id}</code>
              </>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * A Flow's metadata and tags, as TAMS 8.2 shows them (status, profile, list-valued tags). For a
 * multi Flow playing its members, `member` is its video member: the span shown is that Flow's,
 * said so, as the Flow's own timerange is empty.
 */
export function FlowMeta({ flow, extent, member }: { flow: Flow; extent: Span | undefined; member?: Flow }) {
  const rate = flow.segment_duration;
  return (
    <div class="meta">
      <table class="props" data-testid="flow-meta">
        <tbody>
          <Row name="Id">
            <code>{flow.id}</code>
          </Row>
          <Row name="Source">
            <a href={href(`/sources/${flow.source_id}`)}>
              <code>{flow.source_id}</code>
            </a>
          </Row>
          <Row name="Format">{formatName(flow.format)}</Row>
          {flow.codec && <Row name="Codec">{flow.codec}</Row>}
          {flow.container && <Row name="Container">{flow.container}</Row>}
          <Row name="Status">
            <FlowStatusCell flow={flow} />
          </Row>
          {flow.profile_id && (
            <Row name="Profile">
              <a href={href(withQuery('/profiles', { id: flow.profile_id }))}>
                <code>{flow.profile_id}</code>
              </a>
            </Row>
          )}
          <Row name="Timerange">
            {member ? (
              <span class="muted" data-testid="timerange-members">
                none of its own: the segments are its members'
              </span>
            ) : flow.timerange ? (
              <code>{flow.timerange}</code>
            ) : (
              <span class="muted">no segments</span>
            )}
          </Row>
          {extent && (
            <Row name={member ? "Video member's span" : 'Span'}>
              {utcText(extent.start)} → {utcText(extent.end)} UTC ({durationText(extent.end - extent.start)})
              {member && (
                <div data-testid="span-member">
                  of <a href={href(`/flows/${member.id}`)}>{member.label || <code>{member.id}</code>}</a>
                </div>
              )}
            </Row>
          )}
          {rate && <Row name="Segment duration">{`${rate.numerator}/${rate.denominator ?? 1} s`}</Row>}
          {flow.read_only !== undefined && <Row name="Read-only">{flow.read_only ? 'yes' : 'no'}</Row>}
          {flow.created && (
            <Row name="Created">{`${flow.created}${flow.created_by ? ` by ${flow.created_by}` : ''}`}</Row>
          )}
          {flow.updated && <Row name="Updated">{flow.updated}</Row>}
          {flow.essence_parameters && (
            <Row name="Essence">
              <EssenceParameters essence={flow.essence_parameters} />
            </Row>
          )}
          {flow.flow_collection && flow.flow_collection.length > 0 && (
            <Row name="Collection">
              <FlowLinks
                ids={flow.flow_collection.map((member) => member.id)}
                roles={new Map(flow.flow_collection.map((member) => [member.id, member.role ?? '']))}
                testid="flow-collection"
              />
            </Row>
          )}
          {flow.collected_by && flow.collected_by.length > 0 && (
            <Row name="In collections">
              <FlowLinks ids={flow.collected_by} testid="flow-collected-by" />
            </Row>
          )}
        </tbody>
      </table>
      <h2>Tags</h2>
      <TagList tags={flow.tags} />
    </div>
  );
}
