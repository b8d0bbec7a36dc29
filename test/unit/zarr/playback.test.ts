import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nextPosition, Playback, PLAY_STEP_MS, playDimension, type Playable } from '../../../src/state/dataset/playback.svelte';

/** Sliders that record each move; each move starts a "draw" the test finishes by calling `drawn`. */
class Sliders implements Playable {
  variable: { shape: number[] } | null;
  index: number[];
  moves: [number, number][] = [];
  constructor(shape: number[]) {
    this.variable = { shape };
    this.index = shape.map(() => 0);
  }
  setIndex(dim: number, i: number): boolean {
    if (this.index[dim] === i) return false;
    this.index[dim] = i;
    this.moves.push([dim, i]);
    return true;
  }
}

describe('Play', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('steps through a time-like dimension first, else the first one besides y and x', () => {
    expect(playDimension(['plev', 'time', 'lat', 'lon'], 2, 3)).toBe(1);
    expect(playDimension(['Time', 'lat', 'lon'], 1, 2)).toBe(0);
    expect(playDimension(['member', 'plev', 'lat', 'lon'], 2, 3)).toBe(0);
    // Time shown as an axis is not played.
    expect(playDimension(['member', 'time', 'lon'], 1, 2)).toBe(0);
    expect(playDimension(['lat', 'lon'], 0, 1)).toBe(-1);
    expect(playDimension(['lat'], 0, 0)).toBe(-1);
  });

  it('goes back to the first position after the last', () => {
    expect([0, 1, 2, 3].map((i) => nextPosition(i, 4))).toEqual([1, 2, 3, 0]);
    expect(nextPosition(0, 1)).toBe(0);
  });

  it('takes the next step only once the slice is on screen, a pause after it', () => {
    const s = new Sliders([3, 2, 2]);
    const p = new Playback(s);
    p.choose(['time', 'lat', 'lon'], 1, 2);
    p.toggle();
    expect(p.playing).toBe(true);
    vi.advanceTimersByTime(PLAY_STEP_MS - 1);
    expect(s.moves).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(s.moves).toEqual([[0, 1]]);
    // A slow slice: no step while it is being read, however long.
    vi.advanceTimersByTime(10 * PLAY_STEP_MS);
    expect(s.moves).toEqual([[0, 1]]);
    p.drawn(true);
    vi.advanceTimersByTime(PLAY_STEP_MS);
    p.drawn(true);
    vi.advanceTimersByTime(PLAY_STEP_MS);
    expect(s.moves).toEqual([[0, 1], [0, 2], [0, 0]]);
    // Pause: the slice being drawn finishes, and nothing follows.
    p.toggle();
    p.drawn(true);
    vi.advanceTimersByTime(10 * PLAY_STEP_MS);
    expect(s.moves).toHaveLength(3);
    expect(p.playing).toBe(false);
  });

  it('stops when a step cannot be drawn, rather than waiting for ever', () => {
    const s = new Sliders([3, 2, 2]);
    const p = new Playback(s);
    p.choose(['time', 'lat', 'lon'], 1, 2);
    p.toggle();
    vi.advanceTimersByTime(PLAY_STEP_MS);
    p.drawn(false);
    expect(p.playing).toBe(false);
    vi.advanceTimersByTime(10 * PLAY_STEP_MS);
    expect(s.moves).toEqual([[0, 1]]);
  });

  it('stops when there is nothing to step through: one position, or a variable without a dimension to play', () => {
    const one = new Sliders([1, 2, 2]);
    const p = new Playback(one);
    p.choose(['time', 'lat', 'lon'], 1, 2);
    p.toggle();
    vi.advanceTimersByTime(PLAY_STEP_MS);
    expect(one.moves).toEqual([]);
    expect(p.playing).toBe(false);

    const q = new Playback(new Sliders([3, 2, 2]));
    q.choose(['time', 'lat', 'lon'], 1, 2);
    q.toggle();
    // Another variable, 2-D: Play has nothing left to move.
    q.choose(['lat', 'lon'], 0, 1);
    expect(q.dim).toBe(-1);
    expect(q.playing).toBe(false);
  });
});
