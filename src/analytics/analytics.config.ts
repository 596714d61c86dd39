import { Type } from 'typebox';
import type { SettingsOf, WorkerSettings } from '../feature/feature.types.ts';

/** The TAMS_* settings of analytics (spread into the one config schema). */
export const analyticsSettings = {
  TAMS_ANALYTICS: Type.Boolean({
    default: true,
    description:
      'Analytics (`/analytics`): usage, coverage, storage, segment durations, top Flows and exports, and the object size follower that HEADs every object registered (following the event outbox) so that reports can count bytes.',
  }),
  TAMS_ANALYTICS_EXPORT_MAX_ROWS: Type.Integer({
    default: 10_000_000,
    minimum: 1,
    description:
      'Most rows one `GET /analytics/export` streams; a larger table or selection is cut there (the response says so in `X-Export-Truncated`).',
  }),
};

/** The settings analytics reads: its own, the workers', and the embedded engine's for its reports. */
export type AnalyticsConfig = SettingsOf<typeof analyticsSettings> &
  WorkerSettings & {
    readonly TAMS_DUCKDB_MEMORY_LIMIT: string;
    readonly TAMS_DUCKDB_THREADS: number;
  };
