import { describe, expect, it } from 'vitest';
import { duckDbMemoryLimit, processMemory } from './duckdb.memory.ts';

describe('duckDbMemoryLimit', () => {
  it('passes a size through as given', () => {
    expect(duckDbMemoryLimit('512MB', 64 * 2 ** 30)).toBe('512MB');
    expect(duckDbMemoryLimit('2GiB')).toBe('2GiB');
  });

  it('gives auto 40 % of the memory available, at least 512 MiB', () => {
    expect(duckDbMemoryLimit('auto', 24 * 2 ** 30)).toBe(`${Math.floor(24 * 1024 * 0.4)}MiB`);
    expect(duckDbMemoryLimit('AUTO', 10 * 2 ** 30)).toBe('4096MiB');
    expect(duckDbMemoryLimit('auto', 1 * 2 ** 30)).toBe('512MiB');
  });

  it('reads a positive amount of memory for this process', () => {
    const bytes = processMemory();
    expect(bytes).toBeGreaterThan(0);
    expect(Number.isFinite(bytes)).toBe(true);
  });
});
