import { describe, expect, it } from 'vitest';
import type { Flow } from '../api/types.ts';
import { mayGrow, refreshInterval } from './flow.refresh.ts';

const flow: Flow = { id: 'f', source_id: 's', format: 'urn:x-nmos:format:video' };

describe('reading a live Flow again', () => {
  it('reads it every segment duration, within 2 to 10 s, 5 s without one', () => {
    expect(refreshInterval(flow)).toBe(5_000);
    expect(refreshInterval({ ...flow, segment_duration: { numerator: 4 } })).toBe(4_000);
    expect(refreshInterval({ ...flow, segment_duration: { numerator: 1001, denominator: 30000 } })).toBe(
      2_000,
    );
    expect(refreshInterval({ ...flow, segment_duration: { numerator: 60 } })).toBe(10_000);
  });

  it('stops once the Flow is read-only or closed_complete (its status or flow_status tag)', () => {
    expect(mayGrow(flow)).toBe(true);
    expect(mayGrow({ ...flow, tags: { flow_status: 'ingesting' } })).toBe(true);
    expect(mayGrow({ ...flow, read_only: true })).toBe(false);
    expect(mayGrow({ ...flow, status: 'closed_complete' })).toBe(false);
    expect(mayGrow({ ...flow, tags: { flow_status: 'closed_complete' } })).toBe(false);
  });
});
