import { describe, expect, it } from 'vitest';
import { Doorbell } from './doorbell.ts';

describe('Doorbell', () => {
  it('wakes every listener subscribed when it rings, once per ring', () => {
    const bell = new Doorbell();
    const heard: string[] = [];
    bell.subscribe(() => heard.push('a'));
    bell.subscribe(() => heard.push('b'));
    bell.ring();
    bell.ring();
    expect(heard).toEqual(['a', 'b', 'a', 'b']);
  });

  it('does not wake a listener for rings before it subscribed', () => {
    const bell = new Doorbell();
    bell.ring();
    let rings = 0;
    bell.subscribe(() => rings++);
    expect(rings).toBe(0);
    bell.ring();
    expect(rings).toBe(1);
  });

  it('stops waking a listener once unsubscribed, the others still woken', () => {
    const bell = new Doorbell();
    const heard: string[] = [];
    const leave = bell.subscribe(() => heard.push('a'));
    bell.subscribe(() => heard.push('b'));
    leave();
    leave();
    bell.ring();
    expect(heard).toEqual(['b']);
  });

  it('keeps two subscriptions of one listener apart', () => {
    const bell = new Doorbell();
    let rings = 0;
    const listener = () => rings++;
    const first = bell.subscribe(listener);
    bell.subscribe(listener);
    first();
    bell.ring();
    expect(rings).toBe(1);
  });

  it('finishes a ring over the listeners it began with when one unsubscribes another', () => {
    const bell = new Doorbell();
    const heard: string[] = [];
    let leaveB = () => {};
    bell.subscribe(() => {
      heard.push('a');
      leaveB();
    });
    leaveB = bell.subscribe(() => heard.push('b'));
    bell.ring();
    bell.ring();
    expect(heard).toEqual(['a', 'b', 'a']);
  });
});
