import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { enabledFeatures, featureTables } from './feature/feature.set.ts';
import { FEATURES } from './features.ts';
import { storeTables } from './store/tables.ts';

describe('FEATURES', () => {
  it("declare tables of their own, none the core's or another wing's, and keep only their own", () => {
    const names = [...storeTables, ...featureTables(FEATURES)].map((t) => t.name);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
    for (const feature of FEATURES) {
      const own = feature.tables.map((t) => t.name);
      expect(feature.keptWhenEmptied?.filter((t) => !own.includes(t)) ?? [], feature.name).toEqual([]);
    }
  });

  it('are each switched off by their setting, and on by default', () => {
    expect(enabledFeatures(FEATURES, loadConfig({}))).toEqual(FEATURES);
    const off = loadConfig({
      TAMS_SEARCH: 'false',
      TAMS_EXR: 'false',
      TAMS_ANALYTICS: 'false',
      TAMS_RECORDER: 'false',
      TAMS_REPLICATION: 'false',
    });
    expect(enabledFeatures(FEATURES, off)).toEqual([]);
  });
});
