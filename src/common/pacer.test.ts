import { describe, expect, it } from 'vitest';
import { ClientActivity, MAX_REST_MS, Pacer } from './pacer.ts';

/** A clock the test moves, and a sleep that moves it: the pacer's arithmetic without waiting. */
function manualTime() {
  let t = 1000;
  const rests: number[] = [];
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    sleep: async (ms: number) => {
      rests.push(ms);
      t += ms;
    },
    rests,
  };
}

describe('ClientActivity', () => {
  it('is active while a request is in flight and for the window after the last one ended', () => {
    const time = manualTime();
    const clients = new ClientActivity(time.now);
    expect(clients.active()).toBe(false);
    clients.started();
    time.advance(5000);
    expect(clients.active()).toBe(true);
    clients.ended();
    time.advance(100);
    expect(clients.active(250)).toBe(true);
    time.advance(200);
    expect(clients.active(250)).toBe(false);
  });

  it('never counts below zero (a close after a close)', () => {
    const time = manualTime();
    const clients = new ClientActivity(time.now);
    clients.ended();
    clients.ended();
    clients.started();
    clients.ended();
    time.advance(1000);
    expect(clients.active(250)).toBe(false);
  });
});

describe('Pacer', () => {
  it('rests step × (1 − share) / share while clients are about', async () => {
    const time = manualTime();
    const clients = new ClientActivity(time.now);
    clients.started();
    const pacer = new Pacer(clients, { share: 0.25, now: time.now, sleep: time.sleep });
    time.advance(20);
    await pacer.between();
    time.advance(10);
    await pacer.between();
    expect(time.rests).toEqual([60, 30]);
    expect(pacer.rested).toBe(90);
  });

  it('only turns the event loop when no client is about, or at share 1', async () => {
    const time = manualTime();
    const idle = new Pacer(new ClientActivity(time.now), { share: 0.25, now: time.now, sleep: time.sleep });
    time.advance(50);
    await idle.between();
    const busy = new ClientActivity(time.now);
    busy.started();
    const unpaced = new Pacer(busy, { share: 1, now: time.now, sleep: time.sleep });
    time.advance(50);
    await unpaced.between();
    expect(time.rests).toEqual([0, 0]);
  });

  it('asks for small steps only while clients are about and the share is below 1', () => {
    const time = manualTime();
    const clients = new ClientActivity(time.now);
    const paced = new Pacer(clients, { share: 0.25, now: time.now, sleep: time.sleep });
    const unpaced = new Pacer(clients, { share: 1, now: time.now, sleep: time.sleep });
    expect(paced.yielding()).toBe(false);
    clients.started();
    expect(paced.yielding()).toBe(true);
    expect(unpaced.yielding()).toBe(false);
    clients.ended();
    time.advance(300);
    expect(paced.yielding()).toBe(false);
  });

  it('counts a step from begin(), not from time spent elsewhere, and caps a rest', async () => {
    const time = manualTime();
    const clients = new ClientActivity(time.now);
    clients.started();
    const pacer = new Pacer(clients, { share: 0.5, now: time.now, sleep: time.sleep });
    time.advance(10_000);
    pacer.begin();
    time.advance(8);
    await pacer.between();
    time.advance(5000);
    await pacer.between();
    expect(time.rests).toEqual([8, MAX_REST_MS]);
  });
});
