/**
 * A 1-D coordinate (longitude or latitude, ascending or descending, regular
 * or not) as a lookup from a position on the Earth to its cell: the nearest
 * cell centre (for sampling and hover) and the continuous index (for lines).
 * Longitudes are periodic: a query is first wrapped into the 360° that start
 * at the grid's western edge, so 0..360 and -180..180 grids both work.
 */

/** Wrap `lon` into [west, west + 360). */
export function wrapLon(lon: number, west: number): number {
  const d = lon - west;
  // Most queries are already in range: skip the division then.
  return d >= 0 && d < 360 ? lon : west + (d - Math.floor(d / 360) * 360);
}

export class AxisLookup {
  readonly n: number;
  /** Cell centres in increasing order, and their indices along the dimension. */
  readonly #centres: Float64Array;
  readonly #edges: Float64Array;
  readonly #descending: boolean;
  readonly periodic: boolean;
  /** Lowest and highest cell edges (in increasing order). */
  readonly lo: number;
  readonly hi: number;
  /** Spacing when the centres are evenly spaced (within 1e-6 of a step), else 0. */
  readonly #step: number;

  /** `values`: the coordinate (monotonic); `periodic`: longitude, wrapped around the Earth. */
  constructor(values: ArrayLike<number>, periodic: boolean) {
    const n = values.length;
    this.n = n;
    this.#descending = n > 1 && values[0]! > values[n - 1]!;
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = values[this.#descending ? n - 1 - i : i]!;
    this.#centres = c;
    const e = new Float64Array(n + 1);
    const first = n > 1 ? c[1]! - c[0]! : 1;
    const last = n > 1 ? c[n - 1]! - c[n - 2]! : 1;
    e[0] = c[0]! - first / 2;
    for (let i = 1; i < n; i++) e[i] = (c[i - 1]! + c[i]!) / 2;
    e[n] = c[n - 1]! + last / 2;
    this.#edges = e;
    this.lo = e[0]!;
    this.hi = e[n]!;
    const step = (this.hi - this.lo) / n;
    let even = true;
    for (let i = 1; i < n && even; i++) even = Math.abs(c[i]! - c[i - 1]! - step) <= Math.abs(step) * 1e-6;
    this.#step = even ? step : 0;
    // A longitude grid that goes all the way round (to within half a cell) joins at its edges.
    this.periodic = periodic && Math.abs(this.hi - this.lo - 360) <= Math.abs(step) / 2 + 1e-9;
  }

  /**
   * For evenly spaced axes, what a hot loop needs to find a cell without a
   * call: the lowest edge, the spacing (> 0), and whether indices run
   * downwards (null for uneven axes).
   */
  get regular(): { lo: number; step: number; n: number; descending: boolean; periodic: boolean } | null {
    return this.#step ? { lo: this.lo, step: this.#step, n: this.n, descending: this.#descending, periodic: this.periodic } : null;
  }

  /** Rank (0 = lowest centre) of the cell holding `v` (already wrapped), or -1 outside. */
  #rank(v: number): number {
    const e = this.#edges;
    if (!(v >= this.lo && v <= this.hi)) return -1;
    if (this.#step) {
      const r = Math.floor((v - this.lo) / this.#step);
      return r >= this.n ? this.n - 1 : r;
    }
    let a = 0;
    let b = this.n;
    while (b - a > 1) {
      const m = (a + b) >> 1;
      if (e[m]! <= v) a = m;
      else b = m;
    }
    return a;
  }

  #wrap(v: number, isLon: boolean): number {
    return isLon ? wrapLon(v, this.lo) : v;
  }

  /**
   * Index along the dimension of the cell nearest to `v` (degrees), or -1 when
   * `v` is off the grid. `isLon` wraps the query first.
   */
  cell(v: number, isLon: boolean): number {
    let w = this.#wrap(v, isLon);
    // The eastern edge of a global grid is its western edge.
    if (this.periodic && w > this.hi) w = this.lo;
    const r = this.#rank(w);
    if (r < 0) return -1;
    return this.#descending ? this.n - 1 - r : r;
  }

  /**
   * Continuous index of `v` (cell centres at integers, edges at .5), for
   * drawing lines; -Infinity/Infinity beyond the grid. Longitudes are wrapped.
   */
  position(v: number, isLon: boolean): number {
    const w = this.#wrap(v, isLon);
    const c = this.#centres;
    const n = this.n;
    let r: number;
    if (n === 1) r = w - c[0]!;
    else if (this.#step) r = (w - c[0]!) / this.#step;
    else {
      // Linear between neighbouring centres, extended by the end spacings.
      let a = w <= c[0]! ? 0 : w >= c[n - 1]! ? n - 2 : -1;
      if (a < 0) {
        a = 0;
        let b = n - 1;
        while (b - a > 1) {
          const m = (a + b) >> 1;
          if (c[m]! <= w) a = m;
          else b = m;
        }
      }
      r = a + (w - c[a]!) / (c[a + 1]! - c[a]!);
    }
    return this.#descending ? n - 1 - r : r;
  }
}
