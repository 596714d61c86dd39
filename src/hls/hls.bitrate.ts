import type { MediaRegistry } from '../media/media.registry.ts';
import type { StoreSession } from '../store/store.ts';
import type { FlowRecord } from '../store/store.types.ts';
import { TimeRange } from '../time/index.ts';
import { timelineOf } from './hls.breaks.ts';
import { durationOf } from './hls.timeline.ts';

/** Bits per second of a Flow's segments. */
export interface BitRates {
  peak: number;
  average?: number;
}

/** Segments sized to measure a Flow without bit rates: the newest few, one HEAD each. */
const SAMPLE = 5;

/**
 * A Flow's bit rates for BANDWIDTH: its `max_bit_rate` and `avg_bit_rate` (units of 1000 bit/s,
 * AppNote 0013) where set, else measured on its newest segments from their objects' sizes (a
 * HEAD of each in its storage backend: no media is read). Undefined for a Flow without segments.
 */
export async function bitRatesOf(
  store: StoreSession,
  media: MediaRegistry,
  flow: FlowRecord,
): Promise<BitRates | undefined> {
  const page = await store.segments.page(flow.id, TimeRange.ETERNITY, { reverse: true, limit: SAMPLE });
  if (page.items.length === 0) return undefined;
  const declared = flow.max_bit_rate !== undefined ? flow.max_bit_rate * 1000 : undefined;
  const declaredAverage = flow.avg_bit_rate !== undefined ? flow.avg_bit_rate * 1000 : undefined;
  if (declared !== undefined) return { peak: declared, average: declaredAverage };
  let peak = 0;
  let bits = 0;
  let seconds = 0;
  await Promise.all(
    page.items.map(async (segment) => {
      const duration = Number(durationOf(timelineOf(segment))) / 1e9;
      if (segment.storage === undefined || duration <= 0) return;
      const info = await media
        .get(segment.storage.id)
        ?.head(segment.storage.path)
        .catch(() => null);
      if (!info) return;
      peak = Math.max(peak, (info.size * 8) / duration);
      bits += info.size * 8;
      seconds += duration;
    }),
  );
  // Objects elsewhere (client URLs only) cannot be sized: BANDWIDTH is required, so a nominal one.
  if (seconds === 0) return { peak: declaredAverage ?? 1_000_000, average: declaredAverage };
  return { peak: Math.max(peak, declaredAverage ?? 0), average: declaredAverage ?? bits / seconds };
}
