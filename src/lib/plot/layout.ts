/**
 * Where the furniture of a slice's figure goes: the plot area (the canvas
 * the slice is painted on), tick marks along its left and bottom edges that
 * follow zoom and pan, the title above and the colour bar below. All in one
 * coordinate system ("figure units", the canvas' pixels plus margins), the
 * same on screen (an SVG over the canvas) and in exported figures.
 */
import { axisTicks, type AxisSpec } from './ticks';

export interface SliceFrame {
  /** Canvas pixel of value column x: `tx + x·scale` (row likewise, or from the bottom when flipY). */
  view: { scale: number; tx: number; ty: number };
  width: number;
  height: number;
  flipY: boolean;
  canvasWidth: number;
  canvasHeight: number;
}

export const MARGIN = { left: 84, right: 28, top: 54, bottom: 46, colorbar: 74 };

export interface FigureBox {
  width: number;
  height: number;
  /** The plot area (the canvas) in figure units. */
  plot: { x: number; y: number; width: number; height: number };
  /** The colour bar's strip. */
  colorbar: { x: number; y: number; width: number; height: number };
}

/**
 * The figure around a `canvasWidth` x `canvasHeight` canvas. Without axes (a
 * projected map, whose graticule shows longitude and latitude) the margins
 * left and below the plot area are those of the right side.
 */
export function figureBox(canvasWidth: number, canvasHeight: number, options: { axes?: boolean } = {}): FigureBox {
  const axes = options.axes ?? true;
  const left = axes ? MARGIN.left : MARGIN.right;
  const plot = { x: left, y: MARGIN.top, width: canvasWidth, height: canvasHeight };
  const top = plot.y + plot.height + (axes ? MARGIN.bottom : 12);
  return {
    width: left + canvasWidth + MARGIN.right,
    height: top + MARGIN.colorbar,
    plot,
    colorbar: { x: plot.x + plot.width * 0.1, y: top + 6, width: plot.width * 0.8, height: 14 },
  };
}

export interface PlacedTick {
  /** Figure units along the axis (x for the bottom axis, y for the left one). */
  at: number;
  label: string;
}

/** Fractional index range of the slice in view along x (columns) or y (rows), clamped to the data. */
function visible(f: SliceFrame, axis: 'x' | 'y'): [number, number] {
  const { scale, tx, ty } = f.view;
  if (axis === 'x') {
    const lo = -tx / scale - 0.5;
    const hi = (f.canvasWidth - tx) / scale - 0.5;
    return [Math.max(-0.5, lo), Math.min(f.width - 0.5, hi)];
  }
  const a = f.flipY ? f.height - 0.5 - (0 - ty) / scale : (0 - ty) / scale - 0.5;
  const b = f.flipY ? f.height - 0.5 - (f.canvasHeight - ty) / scale : (f.canvasHeight - ty) / scale - 0.5;
  return [Math.max(-0.5, Math.min(a, b)), Math.min(f.height - 0.5, Math.max(a, b))];
}

/** Canvas pixel (x or y) of fractional index `pos` along the axis. */
export function canvasPixel(f: SliceFrame, axis: 'x' | 'y', pos: number): number {
  const { scale, tx, ty } = f.view;
  if (axis === 'x') return tx + (pos + 0.5) * scale;
  return f.flipY ? ty + (f.height - pos - 0.5) * scale : ty + (pos + 0.5) * scale;
}

/** Ticks of one axis in figure units, those inside the plot area only. */
export function placeTicks(f: SliceFrame, axis: 'x' | 'y', spec: AxisSpec, box: FigureBox, count?: number): PlacedTick[] {
  if (!f.width || !f.height || !(f.view.scale > 0)) return [];
  const [lo, hi] = visible(f, axis);
  if (!(hi > lo)) return [];
  const n = count ?? (axis === 'x' ? Math.max(2, Math.round(box.plot.width / (spec.kind === 'time' ? 150 : 110))) : Math.max(2, Math.round(box.plot.height / 70)));
  const offset = axis === 'x' ? box.plot.x : box.plot.y;
  const size = axis === 'x' ? box.plot.width : box.plot.height;
  return axisTicks(spec, lo, hi, n)
    .map((t) => ({ at: offset + canvasPixel(f, axis, t.pos), label: t.label }))
    .filter((t) => t.at >= offset - 0.5 && t.at <= offset + size + 0.5);
}
