import { Type } from 'typebox';
import type { SettingsOf, WorkerSettings } from '../feature/feature.types.ts';

/** The TAMS_* settings of replication between stores (spread into the one config schema). */
export const replicationSettings = {
  TAMS_REPLICATION: Type.Boolean({
    default: true,
    description:
      'Replication (`/replications`): jobs that follow another TAMS server (7.0 or 8.2), copying its Sources, Flows and segments with every field, their media by reference or by copy, run by any replica under a lease (docs/replication.md).',
  }),
  TAMS_REPLICATION_ALLOW: Type.String({
    default: '',
    description:
      'Comma-separated addresses, CIDRs or host names an origin (and the media URLs it hands out) may be at although not public unicast (private, loopback, link-local, reserved): refused otherwise, against server-side request forgery. E.g. `10.1.2.0/24,tams.site-b.internal`.',
  }),
  TAMS_REPLICATION_MAX_JOBS: Type.Integer({
    default: 4,
    minimum: 0,
    maximum: 256,
    description:
      'Replication jobs one replica runs at once; 0: this replica runs none (it still serves the API).',
  }),
  TAMS_REPLICATION_POLL_SECONDS: Type.Number({
    default: 2,
    minimum: 0.05,
    maximum: 3600,
    description:
      'How often a job that follows its origin asks it for new segments, Flows and deletions, when no event from the origin wakes it first.',
  }),
  TAMS_REPLICATION_PAGE: Type.Integer({
    default: 1000,
    minimum: 1,
    maximum: 10000,
    description:
      'Segments asked of the origin per page (the origin may answer fewer); each page is registered at the destination in one write, or in writes of 100 segments while clients are being served (TAMS_REPLICATION_SHARE).',
  }),
  TAMS_REPLICATION_SHARE: Type.Number({
    default: 0.25,
    exclusiveMinimum: 0,
    maximum: 1,
    description:
      "While this replica serves clients, the share of the time a job's writes may take: it then writes 100 segments at a time and rests the rest between two, so readers keep their speed during a catch-up; with no client about it writes whole pages at full speed. 1: never rests, whole pages always.",
  }),
  TAMS_REPLICATION_COPIES: Type.Integer({
    default: 4,
    minimum: 1,
    maximum: 64,
    description: 'Objects a job copies at once (media by copy).',
  }),
};

/** The settings replication reads: its own, the workers', and where the server is reached. */
export type ReplicationConfig = SettingsOf<typeof replicationSettings> &
  WorkerSettings & { readonly TAMS_PUBLIC_URL: string };
