/** When a new generation of clusters is trained, and the layout's JSON form. */
import { describe, expect, it } from 'vitest';
import {
  clustersFor,
  endOf,
  type IvfLayout,
  layoutJson,
  MAX_CLUSTERS,
  parseLayout,
  TRAIN_AT,
  trainingDue,
} from './search.layout.ts';

const untrained: IvfLayout = { version: 0, current: { base: 0, clusters: 0, trainedAt: 0 } };

describe('the vector layout', () => {
  it('trains about √N clusters, bounded', () => {
    expect(clustersFor(1_000_000)).toBe(1000);
    expect(clustersFor(TRAIN_AT)).toBe(64);
    expect(clustersFor(100_000_000)).toBe(MAX_CLUSTERS);
  });

  it('trains first at TRAIN_AT vectors, again at four times the vectors, never while refiling', () => {
    expect(trainingDue(untrained, TRAIN_AT - 1)).toBe(false);
    expect(trainingDue(untrained, TRAIN_AT)).toBe(true);
    const trained: IvfLayout = { version: 1, current: { base: 1, clusters: 64, trainedAt: 4096 } };
    expect(trainingDue(trained, 4 * 4096 - 1)).toBe(false);
    expect(trainingDue(trained, 4 * 4096)).toBe(true);
    expect(trainingDue({ ...trained, previous: untrained.current }, 1_000_000)).toBe(false);
    // The index of 1,000,000 vectors trained once at 41,000 into 164 clusters is due.
    expect(
      trainingDue({ version: 2, current: { base: 0, clusters: 164, trainedAt: 41_000 } }, 1_002_000),
    ).toBe(true);
    // At the bound, growth alone trains no more.
    const max: IvfLayout = { version: 3, current: { base: 9, clusters: MAX_CLUSTERS, trainedAt: 5_000_000 } };
    expect(trainingDue(max, 50_000_000)).toBe(false);
  });

  it('numbers a generation after the previous one, and reads back what it writes', () => {
    expect(endOf(untrained.current)).toBe(1);
    const layout: IvfLayout = {
      version: 4,
      current: { base: 165, clusters: 1000, trainedAt: 1_002_000 },
      previous: { base: 1, clusters: 164, trainedAt: 41_000 },
    };
    expect(endOf(layout.current)).toBe(1165);
    expect(parseLayout(layoutJson(layout))).toEqual(layout);
    expect(parseLayout(layoutJson(untrained))).toEqual(untrained);
    expect(parseLayout(null)).toBeUndefined();
    expect(parseLayout({ version: 1 })).toBeUndefined();
  });
});
