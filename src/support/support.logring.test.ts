import { describe, expect, it } from 'vitest';
import { LogRing, MAX_LINE_BYTES } from './support.logring.ts';

describe('the log ring', () => {
  it('keeps the last lines in order, and cuts a line too long', () => {
    const ring = new LogRing(3);
    expect(ring.recent()).toEqual([]);
    for (const n of [1, 2, 3, 4, 5]) ring.push(`${n}\n`);
    expect(ring.recent()).toEqual(['3\n', '4\n', '5\n']);
    expect(ring.recent(2)).toEqual(['4\n', '5\n']);
    ring.push('x'.repeat(MAX_LINE_BYTES + 10));
    expect(ring.recent(1)[0]?.length).toBeLessThan(MAX_LINE_BYTES + 10);
    const none = new LogRing(0);
    none.push('a\n');
    expect(none.recent()).toEqual([]);
  });
});
