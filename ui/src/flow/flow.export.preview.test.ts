import { describe, expect, it } from 'vitest';
import { dispositionName } from './flow.export.preview.ts';

describe('dispositionName', () => {
  it('takes the UTF-8 name first, then the ASCII one, then the fallback', () => {
    const both = `attachment; filename="Cam_ra_1-2.ts"; filename*=UTF-8''Cam%C3%A9ra%201-2.ts`;
    expect(dispositionName(both, 'x')).toBe('Caméra 1-2.ts');
    expect(dispositionName('attachment; filename="cam_1-2.ts"', 'x')).toBe('cam_1-2.ts');
    expect(dispositionName(`attachment; filename="a.ts"; filename*=UTF-8''%E0%A4%A`, 'x')).toBe('a.ts');
    expect(dispositionName(null, 'flow.bin')).toBe('flow.bin');
  });
});
