import type { ServiceTimeouts } from './service.service.ts';

/** TAMS 8.2's bounds on what `/service` states (service.json, ADR 0044), in seconds. */
export const MIN_OBJECT_TIMEOUT_S = 300;
export const MIN_PRESIGNED_URL_TIMEOUT_S = 30;

export interface TimeoutWarning {
  /** The settings the warning is about. */
  settings: Record<string, number>;
  message: string;
}

/**
 * What is wrong, for TAMS 8.2, with the timeouts in use: 8.2's `/service` must state a
 * `min_object_timeout` of 300 s or more and a `min_presigned_url_timeout` of 30 s or more, the
 * second no longer than the first. The server starts anyway and states the values it uses
 * (decision L10: clients must be able to rely on what it says); these are logged at start.
 */
export function timeoutWarnings(timeouts: ServiceTimeouts): TimeoutWarning[] {
  const grace = timeouts.unregisteredObjectSeconds;
  const presign = timeouts.presignedUrlSeconds;
  const stated = `/tams/v8.2/service states min_object_timeout "${grace}:0" and min_presigned_url_timeout "${presign}:0", the values in use`;
  const warnings: TimeoutWarning[] = [];
  if (grace < MIN_OBJECT_TIMEOUT_S) {
    warnings.push({
      settings: { TAMS_UNUSED_OBJECT_GRACE_SECONDS: grace },
      message: `TAMS_UNUSED_OBJECT_GRACE_SECONDS is ${grace}: TAMS 8.2 requires min_object_timeout of ${MIN_OBJECT_TIMEOUT_S} s or more; ${stated}`,
    });
  }
  if (presign < MIN_PRESIGNED_URL_TIMEOUT_S) {
    warnings.push({
      settings: { TAMS_PRESIGN_EXPIRY_SECONDS: presign },
      message: `TAMS_PRESIGN_EXPIRY_SECONDS is ${presign}: TAMS 8.2 requires min_presigned_url_timeout of ${MIN_PRESIGNED_URL_TIMEOUT_S} s or more; ${stated}`,
    });
  }
  if (presign > grace) {
    warnings.push({
      settings: { TAMS_PRESIGN_EXPIRY_SECONDS: presign, TAMS_UNUSED_OBJECT_GRACE_SECONDS: grace },
      message: `TAMS_PRESIGN_EXPIRY_SECONDS (${presign}) is longer than TAMS_UNUSED_OBJECT_GRACE_SECONDS (${grace}): TAMS 8.2 requires min_presigned_url_timeout no longer than min_object_timeout (an unused object may be released while its upload URL is valid); ${stated}`,
    });
  }
  return warnings;
}
