import { describe, expect, it } from 'vitest';
import { Serial, Slots } from '../../../src/lib/upload/serial';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('Serial and Slots', () => {
  it('Serial runs one task at a time in call order, and a failure does not stop the next', async () => {
    const s = new Serial();
    const log: string[] = [];
    let running = 0;
    const task = (name: string, fail = false) =>
      s.run(async () => {
        running++;
        expect(running).toBe(1);
        await tick();
        log.push(name);
        running--;
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([task('a'), task('b', true), task('c')]);
    expect(log).toEqual(['a', 'b', 'c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('Slots allow n at once and hand freed slots to waiters', async () => {
    const slots = new Slots(2);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        slots.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await tick();
          running--;
          if (i === 3) throw new Error('one fails');
        }).catch(() => undefined),
      ),
    );
    expect(peak).toBe(2);
    expect(running).toBe(0);
  });
});
