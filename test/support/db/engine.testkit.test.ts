import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { DEFAULT_ENGINE_SETTINGS } from './engine.testkit.ts';

describe('the engine test kit', () => {
  it("opens the engine with the configuration's defaults", () => {
    const config = loadConfig({});
    const slice = Object.fromEntries(
      Object.keys(DEFAULT_ENGINE_SETTINGS).map((k) => [k, config[k as keyof typeof config]]),
    );
    expect(DEFAULT_ENGINE_SETTINGS).toEqual(slice);
  });
});
