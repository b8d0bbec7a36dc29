import { describe, expect, it } from 'vitest';
import { bytesSent, RateMeter, SentBytes, timeLeft } from '../../../src/lib/upload/progress';

const MiB = 1024 * 1024;

describe('bytes sent', () => {
  it('counts parts on the wire as they go, before any is stored', () => {
    const sent = new SentBytes();
    expect(sent.record(1, 2 * MiB)).toBe(true);
    expect(sent.record(2, 1 * MiB)).toBe(true);
    expect(bytesSent(30 * MiB, 0, sent.pending([]))).toBe(3 * MiB);
  });

  it('counts a retried part once: the retry shows nothing new until it passes the attempt before it', () => {
    const sent = new SentBytes();
    sent.record(1, 4 * MiB);
    // The connection dropped; the part starts again from 0.
    expect(sent.record(1, 0)).toBe(false);
    expect(sent.record(1, 3 * MiB)).toBe(false);
    expect(sent.pending([])).toBe(4 * MiB);
    expect(sent.record(1, 5 * MiB)).toBe(true);
    expect(sent.pending([])).toBe(5 * MiB);
  });

  it('never goes back when a part is stored, and never shows more than the file', () => {
    const size = 12 * MiB;
    const sent = new SentBytes();
    const parts: { n: number; size: number }[] = [];
    const shown: number[] = [];
    const show = () => shown.push(bytesSent(size, parts.reduce((n, p) => n + p.size, 0), sent.pending(parts)));
    sent.record(1, 5 * MiB);
    show();
    sent.record(2, 2 * MiB);
    show();
    // Part 1 is stored: it now counts as done, whether or not its entry is forgotten yet.
    parts.push({ n: 1, size: 5 * MiB });
    show();
    sent.forget(1);
    show();
    sent.record(2, 5 * MiB);
    sent.record(3, 2 * MiB);
    show();
    parts.push({ n: 2, size: 5 * MiB }, { n: 3, size: 2 * MiB });
    show();
    expect(shown).toEqual([5 * MiB, 7 * MiB, 7 * MiB, 7 * MiB, 12 * MiB, 12 * MiB]);
    expect(bytesSent(size, size, 3 * MiB)).toBe(size);
  });

  it('starts from nothing when the upload starts over', () => {
    const sent = new SentBytes();
    sent.record(1, MiB);
    sent.clear();
    expect(sent.pending([])).toBe(0);
    expect(sent.record(1, 10)).toBe(true);
  });
});

describe('speed and time left', () => {
  it('gives no speed until the samples span half a second', () => {
    const m = new RateMeter();
    expect(m.add(0, 0)).toBe(0);
    expect(m.add(200, 4 * MiB)).toBe(0);
    expect(m.add(500, 4 * MiB)).toBe(8 * MiB);
  });

  it('is the average over the last window, so one burst or stall moves it only so far', () => {
    const m = new RateMeter({ windowMs: 5000 });
    // 1 MiB/s for 10 s, sampled ten times a second.
    let bytes = 0;
    for (let t = 0; t <= 10_000; t += 100) {
      m.add(t, bytes);
      bytes += MiB / 10;
    }
    expect(m.rate).toBeCloseTo(MiB, -3);
    // Then a stall of 2 s: the speed falls, but not to zero.
    bytes -= MiB / 10;
    for (let t = 10_100; t <= 12_000; t += 100) m.add(t, bytes);
    expect(m.rate).toBeGreaterThan(0.5 * MiB);
    expect(m.rate).toBeLessThan(0.7 * MiB);
    // A stall longer than the window: no speed.
    for (let t = 12_100; t <= 17_100; t += 100) m.add(t, bytes);
    expect(m.rate).toBe(0);
  });

  it('starts a new window when the count goes down (the upload started over)', () => {
    const m = new RateMeter();
    m.add(0, 0);
    m.add(1000, 10 * MiB);
    expect(m.add(1100, MiB)).toBe(0);
    expect(m.add(2100, 3 * MiB)).toBe(2 * MiB);
  });

  it('forgets its samples on reset', () => {
    const m = new RateMeter();
    m.add(0, 0);
    m.add(1000, MiB);
    m.reset();
    expect(m.rate).toBe(0);
    expect(m.add(5000, 2 * MiB)).toBe(0);
  });

  it('time left is what remains at the current speed, and unknown without one', () => {
    expect(timeLeft(30 * MiB, 3 * MiB)).toBe(10);
    expect(timeLeft(0, MiB)).toBe(0);
    expect(timeLeft(MiB, 0)).toBeUndefined();
  });
});
