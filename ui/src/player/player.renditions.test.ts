import { describe, expect, it } from 'vitest';
import { audioUnplayable } from './player.renditions.ts';

describe('alternate audio beside its video', () => {
  it('is unplayable with more discontinuities than a finished video', () => {
    expect(audioUnplayable({ endCC: 0, live: false }, { endCC: 5, live: false })).toMatch(
      /audio breaks \(EXT-X-DISCONTINUITY\) 5 times and the video 0 times/,
    );
    expect(audioUnplayable({ endCC: 1, live: false }, { endCC: 2, live: false })).toMatch(/video once/);
  });

  it('plays with as many or fewer, and while the video is live', () => {
    expect(audioUnplayable({ endCC: 0, live: false }, { endCC: 0, live: false })).toBeUndefined();
    expect(audioUnplayable({ endCC: 3, live: false }, { endCC: 1, live: false })).toBeUndefined();
    expect(audioUnplayable({ endCC: 0, live: true }, { endCC: 2, live: true })).toBeUndefined();
  });
});
