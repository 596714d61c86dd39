import { timingSafeEqual } from 'node:crypto';
import type { Origin } from './replication.origin.ts';
import { OriginError } from './replication.origin.ts';
import type { ReplicationJob } from './store/replication.jobs.repo.ts';

/** The header the origin's deliveries carry the job's event key in (its webhook's api_key_name). */
export const EVENT_KEY_HEADER = 'x-tams-replication-key';

/** What a job asks its origin to tell it: new segments and every change it copies. */
const EVENTS = [
  'flows/created',
  'flows/updated',
  'flows/deleted',
  'flows/segments_added',
  'flows/segments_deleted',
  'sources/updated',
];

/** How a job follows its origin: by the origin's webhook deliveries, or by asking it. */
export type FollowBy = { kind: 'webhook'; id?: string } | { kind: 'polling'; why: string };

/** Where the origin delivers a job's events: this server's /replications/{id}/events. */
export function eventsUrl(publicUrl: string, jobId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/replications/${jobId}/events`;
}

/**
 * Registers a webhook for the job on the origin (7.0 and 8.2 alike: POST /service/webhooks), for
 * its Flows where the selection names them; polling where the origin has no webhooks (404, 405,
 * 501), refuses this one (its allow-list, its scopes), or this server has no URL it can reach.
 * Deliveries only wake the job (and, mirrored, delete at once): what it copies it still reads.
 */
export async function registerWebhook(
  origin: Origin,
  job: ReplicationJob,
  publicUrl: string,
  flowIds: readonly string[],
): Promise<FollowBy> {
  if (job.event_key === undefined) return { kind: 'polling', why: 'the job has no event key' };
  if (
    /^https?:\/\/(localhost|127\.|\[::1\])/.test(publicUrl) &&
    !/^https?:\/\/(localhost|127\.|\[::1\])/.test(job.origin_url)
  )
    return {
      kind: 'polling',
      why: `this server's URL (${publicUrl}) is local: set TAMS_PUBLIC_URL for webhooks`,
    };
  const scope =
    job.select.kind === 'source'
      ? { source_ids: [job.select.source_id] }
      : job.select.kind === 'flow'
        ? { flow_ids: [...flowIds] }
        : {};
  const body = {
    url: eventsUrl(publicUrl, job.id),
    api_key_name: EVENT_KEY_HEADER,
    api_key_value: job.event_key,
    events: EVENTS,
    ...scope,
  };
  try {
    const made = await origin.send<{ id?: unknown }>('POST', '/service/webhooks', body);
    const id = typeof made?.id === 'string' ? made.id : undefined;
    return { kind: 'webhook', ...(id !== undefined && { id }) };
  } catch (error) {
    if (error instanceof OriginError && error.status !== undefined && error.status < 500)
      return { kind: 'polling', why: `the origin refused a webhook: ${error.message}` };
    throw error;
  }
}

/** Removes the job's webhook from the origin: 8.2 by its id, 7.0 by posting no events for its URL. */
export async function unregisterWebhook(
  origin: Origin,
  follow: FollowBy,
  publicUrl: string,
  jobId: string,
): Promise<void> {
  if (follow.kind !== 'webhook') return;
  if (follow.id !== undefined) await origin.send('DELETE', `/service/webhooks/${follow.id}`);
  else await origin.send('POST', '/service/webhooks', { url: eventsUrl(publicUrl, jobId), events: [] });
}

/** Whether a delivery carries the job's key (compared in constant time). */
export function keyMatches(job: ReplicationJob, given: string | undefined): boolean {
  if (job.event_key === undefined || given === undefined) return false;
  const a = Buffer.from(job.event_key);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
