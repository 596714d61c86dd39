import { describe, expect, it } from 'vitest';
import { MediaRegistry } from '../media/media.registry.ts';
import type { MediaStore } from '../media/media.types.ts';
import type { InstanceRecord } from '../store/objects/instances.types.ts';
import { promotable } from './objects.promote.ts';

// Only the descriptor's id is read here (MediaRegistry indexes backends by it).
const backend = (id: string) => ({ descriptor: { id } }) as unknown as MediaStore;
const media = new MediaRegistry([backend('a'), backend('b')]);

const at = new Date(0);
const copy = (storage_id: string, state: InstanceRecord['state'], pos: number): InstanceRecord => ({
  object_id: 'o',
  controlled: true,
  storage_id,
  storage_path: `p.copy-${storage_id}`,
  state,
  created: at,
  pos,
});
const url: InstanceRecord = {
  object_id: 'o',
  controlled: false,
  url: 'https://x',
  state: 'ready',
  created: at,
  pos: 0,
};

describe('promotable: the copy an object moves to', () => {
  it('is the first ready copy on a configured backend, in get_urls order', () => {
    const gone = copy('retired', 'ready', 1);
    const list = [url, gone, copy('a', 'copying', 2), copy('b', 'ready', 3), copy('a', 'ready', 4)];
    expect(promotable(list, media)).toEqual({ instance: list[3], to: { id: 'b', path: 'p.copy-b' } });
  });

  it('is none among clients’ URLs, copies not made yet or failed, or on backends since removed', () => {
    expect(promotable([url, copy('a', 'copying', 1), copy('b', 'failed', 2)], media)).toBeUndefined();
    expect(promotable([copy('retired', 'ready', 1)], media)).toBeUndefined();
    expect(promotable([], media)).toBeUndefined();
  });
});
