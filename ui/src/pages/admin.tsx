import { useState } from 'preact/hooks';
import type { DeletionRequest, Webhook } from '../api/types.ts';
import {
  ACTIONS,
  Await,
  ListTable,
  PageTitle,
  ShortId,
  StatusBadge,
  TagList,
  wide,
} from '../components/common.tsx';
import { Filters, listingQuery } from '../components/filters.tsx';
import { useListing } from '../components/listing.ts';
import { Pager } from '../components/pager.tsx';
import { href, type Route } from '../router.ts';
import { WebhookActions, WebhookCreate } from '../writes/webhook.actions.tsx';

/** GET /flow-delete-requests (8.2: paged, newest first): asynchronous deletions, running and finished. */
export function DeletionsPage({ route }: { route: Route }) {
  const query = listingQuery(route.query, []);
  const result = useListing<DeletionRequest>('/flow-delete-requests', query);
  return (
    <section>
      <PageTitle>Deletion requests</PageTitle>
      <Await result={result} what="deletion requests">
        {(value) => (
          <>
            <ListTable
              items={value.items}
              empty="No deletion request."
              testid="deletions"
              columns={['Status', 'Flow', wide('Timerange'), 'Created', wide('By'), 'Id']}
              row={(r) => (
                <tr key={r.id}>
                  <td>
                    <StatusBadge status={r.status} />
                    {r.error?.summary && <div class="error">{r.error.summary}</div>}
                  </td>
                  <td>
                    <a href={href(`/flows/${r.flow_id}`)}>
                      <ShortId id={r.flow_id} />
                    </a>
                    {r.delete_flow ? ' (the Flow)' : ''}
                  </td>
                  <td class="wide">
                    <code>{r.timerange_to_delete ?? '_'}</code>
                  </td>
                  <td>{r.created ?? ''}</td>
                  <td class="wide">{r.created_by ?? ''}</td>
                  <td>
                    <ShortId id={r.id} />
                  </td>
                </tr>
              )}
            />
            <Pager path="/deletions" query={route.query} next={value.next} />
          </>
        )}
      </Await>
    </section>
  );
}

/**
 * GET /service/webhooks (8.2: paged, by URL, filtered by the webhooks' own tags): every
 * principal's webhooks for administrators, the caller's own for others (as the API answers),
 * whichever version registered them, with their ids and status; registered, changed and
 * removed here by those whose scopes allow it.
 */
export function WebhooksPage({ route, admin }: { route: Route; admin: boolean }) {
  const query = listingQuery(route.query, []);
  const [revision, setRevision] = useState(0);
  const changed = () => setRevision((r) => r + 1);
  const result = useListing<Webhook>('/service/webhooks', query, 50, revision);
  return (
    <section>
      <PageTitle>{admin ? 'Webhooks' : 'Your webhooks'}</PageTitle>
      <WebhookCreate onChanged={changed} />
      <Filters path="/webhooks" query={route.query} fields={[]} />
      <Await result={result} what="webhooks">
        {(value) => (
          <>
            <ListTable
              items={value.items}
              empty="No webhook is registered."
              testid="webhooks"
              columns={['URL', wide('Events'), 'Status', wide('Tags'), 'Owner', 'Id', ACTIONS]}
              row={(w) => (
                <tr key={w.id}>
                  <td class="break">{w.url}</td>
                  <td class="wide">{w.events.join(', ')}</td>
                  <td>
                    <StatusBadge status={w.status} />
                    {w.error?.summary && <div class="error">{w.error.summary}</div>}
                  </td>
                  <td class="wide">
                    <TagList tags={w.tags} />
                  </td>
                  <td>{w.owner ?? ''}</td>
                  <td>
                    <ShortId id={w.id} />
                  </td>
                  <td>
                    <WebhookActions webhook={w} onChanged={changed} />
                  </td>
                </tr>
              )}
            />
            <Pager path="/webhooks" query={route.query} next={value.next} />
          </>
        )}
      </Await>
    </section>
  );
}
