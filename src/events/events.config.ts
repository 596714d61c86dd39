import { Type } from 'typebox';

/** The TAMS_* settings of events and webhooks (spread into the one config schema). */
export const eventSettings = {
  TAMS_WEBHOOK_ALLOW: Type.String({
    default: '',
    description:
      'Comma-separated addresses, CIDRs or host names webhooks may reach although not public unicast: private, loopback, link-local, reserved, or an IPv6 form leading to one (IPv4-mapped or -compatible, NAT64, 6to4, Teredo). Refused otherwise, against server-side request forgery; allowing an IPv4 address allows its IPv6 forms. E.g. `127.0.0.1,10.0.0.0/8,hooks.internal`.',
  }),
  TAMS_WEBHOOK_TIMEOUT_MS: Type.Integer({
    default: 5000,
    minimum: 100,
    description: 'Deadline of one webhook delivery attempt, in milliseconds.',
  }),
  TAMS_WEBHOOK_MAX_ATTEMPTS: Type.Integer({
    default: 8,
    minimum: 1,
    description:
      'Attempts at delivering an event to a webhook before it is parked (logged, counted and skipped).',
  }),
  TAMS_WEBHOOK_BACKOFF_MS: Type.Integer({
    default: 1000,
    minimum: 1,
    description:
      'First retry delay of a failed delivery; doubles with each attempt (with jitter, at most 5 minutes).',
  }),
  TAMS_EVENT_SLOT_LEASE_SECONDS: Type.Integer({
    default: 15,
    minimum: 1,
    description:
      'On a shared database (VAST, several replicas): each replica numbers its events in a slot of its own, which it renews while it runs; webhooks and event streams read no further than what every slot has committed, so a replica that dies holding one holds their deliveries back for up to this long, after which the others free it. Longer than a write transaction can take (VAST calls retry for up to `TAMS_VAST_RETRY_MAX_MS`); one taking longer may have to run again. Unused with the embedded DuckDB (one writer).',
  }),
  TAMS_EVENT_RETENTION_SECONDS: Type.Integer({
    default: 300,
    minimum: 1,
    description:
      'How long events stay in the outbox once every webhook has them: event-stream clients can resume within it. Live ingest writes an event per segment registration, so hours of retention cost real space.',
  }),
};
