import { describe, expect, it } from 'vitest';
import { Priority, Scheduler } from '../../../src/lib/upload/scheduler';

function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
}

describe('Scheduler', () => {
  it('bounds concurrency and runs control requests before parts before new files', async () => {
    const s = new Scheduler({ maxConcurrent: 1, maxBytes: 1e9 });
    const order: string[] = [];
    const first = gate();
    const blocker = s.submit({ priority: Priority.Part, bytes: 0, group: 'a', run: () => first.p.then(() => void order.push('blocker')) });
    const runs = [
      s.submit({ priority: Priority.New, bytes: 0, group: 'b', run: async () => void order.push('new') }),
      s.submit({ priority: Priority.Part, bytes: 0, group: 'a', run: async () => void order.push('part') }),
      s.submit({ priority: Priority.Control, bytes: 0, group: 'a', run: async () => void order.push('complete') }),
    ];
    // The control request gets a reserved slot even while parts fill the limit.
    await runs[2];
    expect(order).toEqual(['complete']);
    first.open();
    await Promise.all([blocker, ...runs]);
    expect(order).toEqual(['complete', 'blocker', 'part', 'new']);
  });

  it('keeps bytes in flight under the budget, but lets one oversized task run alone', async () => {
    const s = new Scheduler({ maxConcurrent: 10, maxBytes: 100 });
    let peak = 0;
    const gates = [gate(), gate(), gate()];
    const tasks = [60, 60, 300].map((bytes, i) =>
      s.submit({
        priority: Priority.Part,
        bytes,
        group: 'g',
        run: async () => {
          peak = Math.max(peak, s.stats.bytesInFlight);
          await gates[i]!.p;
        },
      }),
    );
    await Promise.resolve();
    expect(s.stats.running).toBe(1);
    gates[0]!.open();
    await tasks[0];
    await new Promise((r) => setTimeout(r, 0));
    expect(s.stats.running).toBe(1);
    gates[1]!.open();
    gates[2]!.open();
    await Promise.all(tasks);
    expect(peak).toBeLessThanOrEqual(300);
  });

  it('keeps a limit that a new setting does not name (settings of integrity only, or of concurrency only)', async () => {
    const s = new Scheduler({ maxConcurrent: 2, maxBytes: 100 });
    s.configure({ maxConcurrent: undefined, maxBytes: undefined });
    s.configure({ maxConcurrent: 3 });
    const gates = [gate(), gate(), gate(), gate(), gate()];
    let peakBytes = 0;
    const tasks = gates.map((g, i) =>
      s.submit({
        priority: Priority.Part,
        bytes: i < 4 ? 10 : 90,
        group: 'g',
        run: async () => {
          peakBytes = Math.max(peakBytes, s.stats.bytesInFlight);
          await g.p;
        },
      }),
    );
    await Promise.resolve();
    // Three at once (the new limit); the 90-byte task waits for the 100-byte budget, still in force.
    expect(s.stats).toMatchObject({ running: 3, limit: 3 });
    gates[0]!.open();
    gates[1]!.open();
    await Promise.all([tasks[0], tasks[1]]);
    await new Promise((r) => setTimeout(r, 0));
    expect(s.stats.running).toBe(2);
    expect(s.stats.bytesInFlight).toBe(20);
    for (const g of gates) g.open();
    await Promise.all(tasks);
    expect(peakBytes).toBeLessThanOrEqual(100);
  });

  it('runs long tasks at most `long.max` at once, small ones beside them, and lets a waiting long task go first when a long slot frees', async () => {
    const s = new Scheduler({ maxConcurrent: 4, maxBytes: 1e9, long: { bytes: 100, max: 2 } });
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const task = (name: string, bytes: number, priority: Priority = Priority.Part) => {
      gates.set(name, gate());
      return s.submit({ priority, bytes, group: 'g', run: () => (started.push(name), gates.get(name)!.p) });
    };
    const runs = [task('L1', 500), task('L2', 500), task('L3', 500), task('s1', 10, Priority.New), task('s2', 10, Priority.New), task('s3', 10, Priority.New)];
    await Promise.resolve();
    // L3 waits for a long slot; the small ones take the other two.
    expect(started).toEqual(['L1', 'L2', 's1', 's2']);
    gates.get('s1')!.open();
    await runs[3];
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual(['L1', 'L2', 's1', 's2', 's3']);
    gates.get('L1')!.open();
    await runs[0];
    await new Promise((r) => setTimeout(r, 0));
    expect(started.at(-1)).toBe('L3');
    // Control requests are never held back by it.
    const control = s.submit({ priority: Priority.Control, bytes: 1000, group: 'g', run: async () => void started.push('complete') });
    await control;
    s.configure({ long: null });
    for (const g of gates.values()) g.open();
    await Promise.all(runs);
  });

  it('says which groups wait with nothing running, and tells when that turns', async () => {
    const turned: string[] = [];
    const s = new Scheduler({ maxConcurrent: 2, maxBytes: 1e9, onChange: (g) => turned.push(g) });
    const a1 = gate();
    const a2 = gate();
    const b1 = gate();
    const ra = [s.submit({ priority: Priority.Part, bytes: 10, group: 'a', run: () => a1.p }), s.submit({ priority: Priority.Part, bytes: 10, group: 'a', run: () => a2.p })];
    const rb = s.submit({ priority: Priority.New, bytes: 10, group: 'b', run: () => b1.p });
    const rc = s.submit({ priority: Priority.New, bytes: 10, group: 'c', run: async () => undefined });
    await Promise.resolve();
    // a fills both slots: a runs, b and c wait.
    expect([s.waiting('a'), s.waiting('b'), s.waiting('c')]).toEqual([false, true, true]);
    expect(turned).toEqual(['b', 'c']);
    a1.open();
    await ra[0];
    await new Promise((r) => setTimeout(r, 0));
    // b took the freed slot.
    expect([s.waiting('b'), s.waiting('c')]).toEqual([false, true]);
    expect(turned).toEqual(['b', 'c', 'b']);
    // A cancelled group that was waiting is waiting no more.
    s.cancelGroup('c');
    await expect(rc).rejects.toThrow();
    expect(s.waiting('c')).toBe(false);
    expect(turned.at(-1)).toBe('c');
    a2.open();
    b1.open();
    await Promise.all([ra[1], rb]);
    expect(s.waiting('a') || s.waiting('b')).toBe(false);
  });

  it('halves its concurrency on back-off and recovers one slot per run of successes', async () => {
    const s = new Scheduler({ maxConcurrent: 8, maxBytes: 1e9, recoverAfter: 2 });
    s.backOff(0);
    expect(s.stats.limit).toBe(4);
    s.backOff(0);
    expect(s.stats.limit).toBe(2);
    for (let i = 0; i < 4; i++) await s.submit({ priority: Priority.Part, bytes: 0, group: 'g', run: async () => undefined });
    expect(s.stats.limit).toBe(4);
  });

  it('holds new starts after a back-off', async () => {
    let t = 0;
    const s = new Scheduler({ maxConcurrent: 4, maxBytes: 1e9, now: () => t });
    s.backOff(30);
    let ran = false;
    const p = s.submit({ priority: Priority.Part, bytes: 0, group: 'g', run: async () => void (ran = true) });
    await Promise.resolve();
    expect(ran).toBe(false);
    t = 31;
    await p;
    expect(ran).toBe(true);
  });

  it('cancels a group: queued tasks reject, running ones see their signal abort', async () => {
    const s = new Scheduler({ maxConcurrent: 1, maxBytes: 1e9 });
    let aborted = false;
    const running = s.submit({
      priority: Priority.Part,
      bytes: 0,
      group: 'x',
      run: (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => { aborted = true; reject(signal.reason); })),
    });
    const queued = s.submit({ priority: Priority.Part, bytes: 0, group: 'x', run: async () => 'never' });
    const other = s.submit({ priority: Priority.Part, bytes: 0, group: 'y', run: async () => 'other ran' });
    s.cancelGroup('x');
    await expect(running).rejects.toMatchObject({ code: 'Aborted' });
    await expect(queued).rejects.toMatchObject({ code: 'Aborted' });
    expect(aborted).toBe(true);
    await expect(other).resolves.toBe('other ran');
  });

  it('hold() stops new starts until release()', async () => {
    const s = new Scheduler({ maxConcurrent: 2, maxBytes: 1e9 });
    s.hold();
    let ran = false;
    const p = s.submit({ priority: Priority.Part, bytes: 0, group: 'g', run: async () => void (ran = true) });
    await new Promise((r) => setTimeout(r, 5));
    expect(ran).toBe(false);
    s.release();
    await p;
    expect(ran).toBe(true);
  });
});
