/**
 * A Flow's technical metadata as TAMS 8.2's Flow Profiles see it (ADR 0047, AppNote 0020): the
 * fields a Profile's `flow_metadata` sets on the Flows made from it, and whether a Flow still
 * matches its Profile. The Profiles themselves are src/profiles' (which imports this, never the
 * other way round): the Flow side reaches them through FlowProfiles, given at composition.
 */

/** The names a Profile's `flow_metadata` may set on a Flow: the technical ones and the format's. */
export const TECHNICAL_FIELDS = [
  'format',
  'codec',
  'container',
  'avg_bit_rate',
  'segment_duration',
  'container_mapping',
  'essence_parameters',
] as const;

/** What the Flow side needs of Profiles (src/profiles/profiles.service.ts implements it). */
export interface FlowProfiles {
  /**
   * An 8.2 Flow body with a Profile's id in `profile_id`, the Profile's technical metadata
   * copied in (400 when the body has some too, or the Profile is unknown); any other body (no
   * `profile_id`, or `""`, which unlinks) as sent.
   */
  applyToFlow(body: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** A document with the technical fields (a Flow record or document, a Profile's `flow_metadata`). */
export type Technical = { readonly [K in (typeof TECHNICAL_FIELDS)[number]]?: unknown };

/** The technical fields of a Flow or Profile metadata document (those of TECHNICAL_FIELDS it has). */
export function technicalOf<T extends Technical>(doc: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of TECHNICAL_FIELDS) if (doc[name] !== undefined) out[name] = doc[name];
  return out;
}

/**
 * The technical fields on which a Flow document and a Profile's `flow_metadata` differ (values
 * compared as JSON, whatever the order of their keys; absent from both is equal): none means the
 * Flow still matches the Profile it is linked to; any means a write changing them must unlink it
 * (through 7.0) or be refused (through 8.2, AppNote 0020).
 */
export function technicalDifferences(flow: Technical, metadata: Technical): string[] {
  return TECHNICAL_FIELDS.filter((name) => canonical(flow[name]) !== canonical(metadata[name]));
}

function canonical(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
