import { describe, expect, it } from 'vitest';
import { ListeningUrl } from './listening.ts';

describe('ListeningUrl', () => {
  it('answers the fallback until the server listens, then the address it listens at', () => {
    const listening = new ListeningUrl('http://localhost:8000');
    const read = () => listening.url();
    expect(read()).toBe('http://localhost:8000');
    listening.listened('http://127.0.0.1:41234');
    expect(read()).toBe('http://127.0.0.1:41234');
  });
});
