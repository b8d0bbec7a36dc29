/**
 * Colour maps as 256-entry RGB lookup tables.
 *
 * - viridis (default): perceptually uniform and colour-blind safe. Built from
 *   Matt Zucker's degree-6 polynomial fit of matplotlib's viridis (max error
 *   well under 1/255 per channel), which saves shipping the table.
 * - RdBu_r: ColorBrewer's 11-class RdBu, reversed, the diverging map xarray
 *   picks for data around zero.
 * - coolwarm: Moreland's diverging map (blue, light grey, red).
 * - greys: linear black to white.
 */

export type ColormapName = 'viridis' | 'greys' | 'RdBu_r' | 'coolwarm';

export interface Colormap {
  name: ColormapName;
  /** Drawn from its last colour to its first (as matplotlib's `_r` maps). */
  reversed: boolean;
  label: string;
  diverging: boolean;
  /** 256 * 3 bytes, RGB. */
  lut: Uint8Array;
}

const VIRIDIS_POLY: readonly [number, number, number][] = [
  [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
  [0.1050930431085774, 1.404613529898575, 1.384590162594685],
  [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
  [-4.634230498983486, -5.799100973351585, -19.33244095627987],
  [6.228269936347081, 14.17993336680509, 56.69055260068105],
  [4.776384997670288, -13.74514537774601, -65.35303263337234],
  [-5.435455855934631, 4.645852612178535, 26.3124352495832],
];

const RDBU = ['#053061', '#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7', '#fddbc7', '#f4a582', '#d6604d', '#b2182b', '#67001f'];
const COOLWARM = ['#3b4cc0', '#dddddd', '#b40426'];

const clamp8 = (x: number) => Math.max(0, Math.min(255, Math.round(x * 255)));

function polyLut(poly: readonly [number, number, number][]): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    for (let c = 0; c < 3; c++) {
      let v = 0;
      for (let k = poly.length - 1; k >= 0; k--) v = v * t + poly[k]![c]!;
      lut[i * 3 + c] = clamp8(v);
    }
  }
  return lut;
}

function hex(h: string): [number, number, number] {
  const n = parseInt(h.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function anchorLut(anchors: string[]): Uint8Array {
  const rgb = anchors.map(hex);
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const x = (i / 255) * (rgb.length - 1);
    const k = Math.min(rgb.length - 2, Math.floor(x));
    const f = x - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(rgb[k]![c]! * (1 - f) + rgb[k + 1]![c]! * f);
  }
  return lut;
}

function greysLut(): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) lut.fill(i, i * 3, i * 3 + 3);
  return lut;
}

const cache = new Map<string, Colormap>();

const DEFS: Record<ColormapName, { label: string; diverging: boolean; make: () => Uint8Array }> = {
  viridis: { label: 'viridis', diverging: false, make: () => polyLut(VIRIDIS_POLY) },
  greys: { label: 'greys', diverging: false, make: greysLut },
  RdBu_r: { label: 'RdBu_r (diverging)', diverging: true, make: () => anchorLut(RDBU) },
  coolwarm: { label: 'coolwarm (diverging)', diverging: true, make: () => anchorLut(COOLWARM) },
};

export const COLORMAP_NAMES = Object.keys(DEFS) as ColormapName[];

export function isColormapName(v: unknown): v is ColormapName {
  return typeof v === 'string' && v in DEFS;
}

/** The name of map `name` as a menu shows it, without building its lookup table. */
export function colormapLabel(name: ColormapName): string {
  return DEFS[name].label;
}

/** The lookup table of map `name`, turned end to end when `reversed`. */
export function colormap(name: ColormapName, reversed = false): Colormap {
  const key = `${name}${reversed ? '_r' : ''}`;
  let c = cache.get(key);
  if (!c) {
    const d = DEFS[name];
    let lut = d.make();
    if (reversed) {
      const r = new Uint8Array(lut.length);
      for (let i = 0; i < 256; i++) r.set(lut.subarray((255 - i) * 3, (255 - i) * 3 + 3), i * 3);
      lut = r;
    }
    c = { name, reversed, label: d.label, diverging: d.diverging, lut };
    cache.set(key, c);
  }
  return c;
}
