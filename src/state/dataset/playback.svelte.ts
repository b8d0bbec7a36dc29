/**
 * Play: step one slider (time, where there is one) through its positions,
 * each step once the previous slice is on screen, so a slow store shows
 * every step rather than skipping them. Play stops by itself when a step
 * cannot be drawn.
 */

/** Pause between a slice on screen and the next step (ms). */
export const PLAY_STEP_MS = 250;

/**
 * The dimension Play steps through: the first one named like time that is
 * neither y nor x, else the first that is neither; -1 when there is none.
 *
 * @example
 * playDimension(['plev', 'time', 'lat', 'lon'], 2, 3) // 1
 */
export function playDimension(dims: readonly string[], yDim: number, xDim: number): number {
  const other = (i: number) => i !== yDim && i !== xDim;
  const time = dims.findIndex((d, i) => other(i) && /time/i.test(d));
  return time >= 0 ? time : dims.findIndex((_, i) => other(i));
}

/** The position after `at` along a dimension of `size`, back to the first after the last. */
export function nextPosition(at: number, size: number): number {
  return size > 0 ? (at + 1) % size : 0;
}

/** What Play moves: the slice view's sliders. */
export interface Playable {
  readonly variable: { readonly shape: readonly number[] } | null;
  readonly index: readonly number[];
  /** Returns whether the slice changed (a draw follows, whose end is reported to `drawn`). */
  setIndex(dim: number, i: number): boolean;
}

export class Playback {
  readonly #slice: Playable;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #playing = $state(false);
  #dim = $state(-1);

  constructor(slice: Playable) {
    this.#slice = slice;
  }

  get playing(): boolean {
    return this.#playing;
  }
  /** The dimension Play steps through (-1: none). */
  get dim(): number {
    return this.#dim;
  }

  /** A variable is shown with `dims`, y and x as given: pick the dimension to play (and stop if there is none). */
  choose(dims: readonly string[], yDim: number, xDim: number): void {
    this.#dim = playDimension(dims, yDim, xDim);
    if (this.#dim < 0) this.stop();
  }

  toggle(): void {
    if (this.#playing) this.stop();
    else {
      this.#playing = true;
      this.#schedule();
    }
  }

  /** The slice asked for was drawn (next step after a pause) or could not be (Play stops). */
  drawn(ok: boolean): void {
    if (!this.#playing) return;
    if (ok) this.#schedule();
    else this.stop();
  }

  stop(): void {
    this.#playing = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#step();
    }, PLAY_STEP_MS);
  }

  #step(): void {
    const v = this.#slice.variable;
    const d = this.#dim;
    if (!this.#playing) return;
    // Nothing to step through, or a dimension of one position: nothing would be drawn to go on from.
    if (!v || d < 0 || d >= v.shape.length || !this.#slice.setIndex(d, nextPosition(this.#slice.index[d] ?? 0, v.shape[d]!))) this.stop();
  }
}
