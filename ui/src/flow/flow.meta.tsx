import type { ComponentChildren } from 'preact';
import type { Flow } from '../api/types.ts';
import { formatName, TagList } from '../components/common.tsx';
import { href, withQuery } from '../router.ts';
import { durationText, type Span, utcText } from '../time.ts';

function Row({ name, children }: { name: string; children: ComponentChildren }) {
  return (
    <tr>
      <th scope="row">{name}</th>
      <td>{children}</td>
    </tr>
  );
}

/** A Flow's metadata and tags. */
export function FlowMeta({ flow, extent }: { flow: Flow; extent: Span | undefined }) {
  const rate = flow.segment_duration;
  return (
    <div class="meta">
      <table class="props">
        <tbody>
          <Row name="Id">
            <code>{flow.id}</code>
          </Row>
          <Row name="Source">
            <a href={href(withQuery('/flows', { source_id: flow.source_id }))}>
              <code>{flow.source_id}</code>
            </a>
          </Row>
          <Row name="Format">{formatName(flow.format)}</Row>
          {flow.codec && <Row name="Codec">{flow.codec}</Row>}
          {flow.container && <Row name="Container">{flow.container}</Row>}
          <Row name="Timerange">
            {flow.timerange ? <code>{flow.timerange}</code> : <span class="muted">no segments</span>}
          </Row>
          {extent && (
            <Row name="Span">
              {utcText(extent.start)} → {utcText(extent.end)} UTC ({durationText(extent.end - extent.start)})
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
              <pre class="json">{JSON.stringify(flow.essence_parameters, null, 2)}</pre>
            </Row>
          )}
          {flow.flow_collection && flow.flow_collection.length > 0 && (
            <Row name="Collection">
              <ul class="plain">
                {flow.flow_collection.map((member) => (
                  <li key={member.id}>
                    <a href={href(`/flows/${member.id}`)}>
                      <code>{member.id}</code>
                    </a>
                    {member.role ? ` (${member.role})` : ''}
                  </li>
                ))}
              </ul>
            </Row>
          )}
        </tbody>
      </table>
      <h2>Tags</h2>
      <TagList tags={flow.tags} />
    </div>
  );
}
