import { api } from '../api/http.ts';
import type { DeletionRequest, Webhook } from '../api/types.ts';
import { Await, ListTable, PageTitle, ShortId, useLoad } from '../components/common.tsx';
import { href } from '../router.ts';

/** GET /flow-delete-requests: asynchronous deletions, running and finished. */
export function DeletionsPage() {
  const result = useLoad('deletions', async (signal) => {
    return (await api<DeletionRequest[]>('/flow-delete-requests', { signal })).body;
  });
  return (
    <section>
      <PageTitle>Deletion requests</PageTitle>
      <Await result={result} what="deletion requests">
        {(value) => (
          <ListTable
            items={value}
            empty="No deletion request."
            testid="deletions"
            head={
              <>
                <th scope="col">Status</th>
                <th scope="col">Flow</th>
                <th scope="col" class="wide">
                  Timerange
                </th>
                <th scope="col">Created</th>
                <th scope="col" class="wide">
                  By
                </th>
                <th scope="col">Id</th>
              </>
            }
            row={(r) => (
              <tr key={r.id}>
                <td>
                  <span class={`badge status-${r.status}`}>{r.status}</span>
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
        )}
      </Await>
    </section>
  );
}

/** GET /service/webhooks: every principal's registrations (for administrators). */
export function WebhooksPage() {
  const result = useLoad(
    'webhooks',
    async (signal) => (await api<Webhook[]>('/service/webhooks', { signal })).body,
  );
  return (
    <section>
      <PageTitle>Webhooks</PageTitle>
      <Await result={result} what="webhooks">
        {(value) => (
          <ListTable
            items={value}
            empty="No webhook is registered."
            testid="webhooks"
            head={
              <>
                <th scope="col">URL</th>
                <th scope="col" class="wide">
                  Events
                </th>
                <th scope="col">Owner</th>
                <th scope="col">Delivery</th>
              </>
            }
            row={(w, i) => (
              <tr key={w.id ?? `${w.url} ${i}`}>
                <td class="break">{w.url}</td>
                <td class="wide">{w.events.join(', ')}</td>
                <td>{w.owner ?? ''}</td>
                <td>
                  {w.delivery_suspended ? (
                    <span class="error">suspended: {w.delivery_suspended}</span>
                  ) : (
                    (w.status ?? 'delivering')
                  )}
                </td>
              </tr>
            )}
          />
        )}
      </Await>
    </section>
  );
}
