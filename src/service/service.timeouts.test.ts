import { describe, expect, it } from 'vitest';
import { timeoutWarnings } from './service.timeouts.ts';

const warnings = (unregisteredObjectSeconds: number, presignedUrlSeconds: number) =>
  timeoutWarnings({ unregisteredObjectSeconds, presignedUrlSeconds }).map((w) => w.settings);

describe('timeoutWarnings: the timeouts in use against TAMS 8.2 (service.json)', () => {
  it('has nothing to say of the defaults, nor of the bounds themselves', () => {
    expect(warnings(86_400, 3600)).toEqual([]);
    expect(warnings(300, 30)).toEqual([]);
    expect(warnings(300, 300)).toEqual([]);
  });

  it('warns of an object timeout under 300 s, a URL timeout under 30 s, or one over the other', () => {
    expect(warnings(299, 30)).toEqual([{ TAMS_UNUSED_OBJECT_GRACE_SECONDS: 299 }]);
    expect(warnings(600, 29)).toEqual([{ TAMS_PRESIGN_EXPIRY_SECONDS: 29 }]);
    expect(warnings(600, 601)).toEqual([
      { TAMS_PRESIGN_EXPIRY_SECONDS: 601, TAMS_UNUSED_OBJECT_GRACE_SECONDS: 600 },
    ]);
    // The tests' one-second grace and the default URL expiry: both rules broken.
    expect(warnings(1, 3600)).toEqual([
      { TAMS_UNUSED_OBJECT_GRACE_SECONDS: 1 },
      { TAMS_PRESIGN_EXPIRY_SECONDS: 3600, TAMS_UNUSED_OBJECT_GRACE_SECONDS: 1 },
    ]);
  });

  it('states the values in use', () => {
    const [warning] = timeoutWarnings({ unregisteredObjectSeconds: 60, presignedUrlSeconds: 30 });
    expect(warning?.message).toBe(
      'TAMS_UNUSED_OBJECT_GRACE_SECONDS is 60: TAMS 8.2 requires min_object_timeout of 300 s or more; /tams/v8.2/service states min_object_timeout "60:0" and min_presigned_url_timeout "30:0", the values in use',
    );
  });
});
