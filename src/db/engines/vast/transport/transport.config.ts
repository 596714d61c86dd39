import { readFileSync } from 'node:fs';
import type { VastTransportOptions } from './transport.client.ts';

/** The TAMS_VAST_* settings the transport reads: a slice of Config (src/config.ts). */
export interface VastTransportSettings {
  readonly TAMS_VAST_ENDPOINTS: string;
  readonly TAMS_VAST_ACCESS_KEY: string;
  readonly TAMS_VAST_SECRET_KEY: string;
  readonly TAMS_VAST_REGION: string;
  readonly TAMS_VAST_CA_FILE: string;
  readonly TAMS_VAST_TLS_INSECURE: boolean;
  readonly TAMS_VAST_CONNECT_TIMEOUT_MS: number;
  readonly TAMS_VAST_REQUEST_TIMEOUT_MS: number;
  readonly TAMS_VAST_IDLE_TIMEOUT_MS: number;
  readonly TAMS_VAST_CONNECTIONS: number;
  readonly TAMS_VAST_RETRY_ATTEMPTS: number;
  readonly TAMS_VAST_RETRY_MAX_MS: number;
  readonly TAMS_VAST_ENDPOINT_COOLDOWN_MS: number;
}

/**
 * The transport's options from the settings (already checked by loadConfig). The region stays
 * '' unless set: that is how VAST's reference client, the Python SDK, signs, so a cluster that
 * serves it accepts it; the Java client's configured region is the alternative.
 */
export function vastTransportOptions(settings: VastTransportSettings): VastTransportOptions {
  return {
    endpoints: settings.TAMS_VAST_ENDPOINTS.split(',')
      .map((e) => e.trim())
      .filter((e) => e !== ''),
    accessKey: settings.TAMS_VAST_ACCESS_KEY,
    secretKey: settings.TAMS_VAST_SECRET_KEY,
    region: settings.TAMS_VAST_REGION,
    ca: settings.TAMS_VAST_CA_FILE === '' ? undefined : readFileSync(settings.TAMS_VAST_CA_FILE),
    insecure: settings.TAMS_VAST_TLS_INSECURE,
    connectTimeoutMs: settings.TAMS_VAST_CONNECT_TIMEOUT_MS,
    requestTimeoutMs: settings.TAMS_VAST_REQUEST_TIMEOUT_MS,
    idleTimeoutMs: settings.TAMS_VAST_IDLE_TIMEOUT_MS,
    connectionsPerEndpoint: settings.TAMS_VAST_CONNECTIONS,
    retry: { maxAttempts: settings.TAMS_VAST_RETRY_ATTEMPTS, maxTotalMs: settings.TAMS_VAST_RETRY_MAX_MS },
    cooldownMs: settings.TAMS_VAST_ENDPOINT_COOLDOWN_MS,
  };
}
