import type { JsonValue } from '../db/db.types.ts';
import { isJsonObject as isObject, type JsonObject } from '../events/events.model.ts';

/**
 * The payload of flows/created and flows/updated for TAMS 8.2 webhooks from a payload recorded
 * before the outbox kept the store's model (flows.events.ts): such a row holds the 7.0 document,
 * which has lost what 8.2 would show (list-valued tags, `status`, `profile_id`), so 8.2 gets that
 * document with what its `flow-get.json` forbids adjusted, as 8.2's mapper would
 * (docs/api-versions.md):
 * - `status` and `profile_id` of a 7.0 document can only be a 7.0 client's own extra properties,
 *   which 8.2 defines otherwise (a status enum, a profile id): left out;
 * - a video Flow without `frame_rate` (7.0: "unknown or variable") is `vfr: true` (8.2 requires
 *   one or the other, and invents no rate);
 * - a multi Flow's `essence_parameters` (free-form in 7.0, only `init_segments` in 8.2) keeps
 *   `init_segments` when it is a boolean, and is left out otherwise.
 * Rows recorded since are rendered from the model (flowChangedRenderer).
 */
export function flowPayloadV8(payload: JsonValue): JsonValue {
  if (!isObject(payload) || !isObject(payload.flow)) return payload;
  return { ...payload, flow: flowDocumentV8(payload.flow) };
}

function flowDocumentV8(flow: JsonObject): JsonObject {
  const { status: _status, profile_id: _profile, ...doc } = flow;
  const params = doc.essence_parameters;
  if (doc.format === 'urn:x-nmos:format:video' && isObject(params)) {
    if (params.frame_rate === undefined && params.vfr === undefined) {
      doc.essence_parameters = { ...params, vfr: true };
    }
  } else if (doc.format === 'urn:x-nmos:format:multi' && params !== undefined) {
    if (isObject(params) && typeof params.init_segments === 'boolean') {
      doc.essence_parameters = { init_segments: params.init_segments };
    } else {
      delete doc.essence_parameters;
    }
  }
  return doc;
}
