import { describe, expect, it } from 'vitest';
import type { Flow } from '../api/types.ts';
import { isCollection } from './flow.collection.ts';

const multi: Flow = {
  id: 'm',
  source_id: 's',
  format: 'urn:x-nmos:format:multi',
  flow_collection: [{ id: 'v', role: 'video' }],
};

describe('a multi Flow played through its members', () => {
  it('is one with members and no segments of its own', () => {
    expect(isCollection(multi)).toBe(true);
    // Muxed segments of its own: played as any Flow.
    expect(isCollection({ ...multi, container: 'video/mp2t' })).toBe(false);
    expect(isCollection({ ...multi, flow_collection: [] })).toBe(false);
    expect(isCollection({ ...multi, format: 'urn:x-nmos:format:video' })).toBe(false);
  });
});
