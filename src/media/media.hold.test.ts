import { describe, expect, it } from 'vitest';
import { DeletionHold } from './media.hold.ts';

describe('DeletionHold', () => {
  it('lets deletions pass at once while nothing holds it', async () => {
    const hold = new DeletionHold();
    await hold.pass();
    expect(hold.waiting).toBe(0);
  });

  it('keeps deletions waiting until every holder lets go, each release counted once', async () => {
    const hold = new DeletionHold();
    const first = hold.hold();
    const second = hold.hold();
    let passed = 0;
    const deletions = [hold.pass(), hold.pass()].map((p) => p.then(() => passed++));
    expect(hold.waiting).toBe(2);
    first();
    first();
    await Promise.resolve();
    expect(passed).toBe(0);
    expect(hold.held).toBe(true);
    second();
    await Promise.all(deletions);
    expect(passed).toBe(2);
    expect(hold.held).toBe(false);
    expect(hold.waiting).toBe(0);
  });
});
