/**
 * Figures as files: the SVG a figure is drawn in on screen (title, axes,
 * colour bar, as text), with the picture's pixels embedded under its plot
 * area and any extra vector layers over them, written as SVG or rendered to
 * a PNG of a chosen size.
 *
 * Extra layers (coastlines, borders…) are given in plot-area pixels: the
 * canvas' own pixel coordinates (0..canvas width, 0..canvas height, y down),
 * the same the picture is drawn in (see SliceCanvas's `Frame`: value column
 * x spans `tx + x·scale`), and are clipped to the plot area.
 */

/** A vector layer drawn over the picture, in plot-area (canvas) pixels. */
export interface VectorLayer {
  /** SVG path data (`M… L… Z`), in canvas pixels. */
  svgPath: string;
  stroke: string;
  strokeWidth?: number;
  fill?: string;
  /** A name for the group (`coastlines`). */
  name?: string;
}

export interface FigureOptions {
  /** The on-screen figure's SVG (its viewBox is the figure's coordinate system). */
  svg: SVGSVGElement;
  /** The picture's pixels (e.g. `canvas.toDataURL()`), and where the plot area is in the figure. */
  raster?: { href: string; x: number; y: number; width: number; height: number };
  layers?: readonly VectorLayer[];
  /** Output size in CSS pixels / SVG user units (default: the figure's own). */
  width?: number;
  height?: number;
  /** Colour of text and lines (the screen's may be a dark theme's). */
  foreground?: string;
  background?: string;
}

const NS = 'http://www.w3.org/2000/svg';

function el(doc: Document, name: string, attrs: Record<string, string | number>): SVGElement {
  const e = doc.createElementNS(NS, name) as SVGElement;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** The figure as SVG text: a stand-alone file, readable by people and by other tools. */
export function figureSvg(o: FigureOptions): string {
  const svg = o.svg.cloneNode(true) as SVGSVGElement;
  const doc = o.svg.ownerDocument;
  const vb = o.svg.viewBox.baseVal;
  svg.querySelectorAll('[data-export="skip"]').forEach((n) => n.remove());
  svg.removeAttribute('class');
  svg.removeAttribute('style');
  svg.setAttribute('xmlns', NS);
  svg.setAttribute('width', String(o.width ?? vb.width));
  svg.setAttribute('height', String(o.height ?? vb.height));
  svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
  svg.setAttribute('color', o.foreground ?? '#1b1f24');
  const under: SVGElement[] = [el(doc, 'rect', { x: vb.x, y: vb.y, width: vb.width, height: vb.height, fill: o.background ?? '#ffffff' })];
  if (o.raster) {
    const r = o.raster;
    const clip = el(doc, 'clipPath', { id: 'plot-area' });
    clip.append(el(doc, 'rect', { x: r.x, y: r.y, width: r.width, height: r.height }));
    const defs = el(doc, 'defs', {});
    defs.append(clip);
    const image = el(doc, 'image', { href: r.href, x: r.x, y: r.y, width: r.width, height: r.height, preserveAspectRatio: 'none', style: 'image-rendering: pixelated' });
    under.push(defs, image);
    if (o.layers?.length) {
      const g = el(doc, 'g', { 'clip-path': 'url(#plot-area)', transform: `translate(${r.x} ${r.y})` });
      for (const l of o.layers) {
        const lg = el(doc, 'path', { d: l.svgPath, stroke: l.stroke, fill: l.fill ?? 'none', 'stroke-width': l.strokeWidth ?? 1, 'stroke-linejoin': 'round' });
        if (l.name) lg.setAttribute('data-layer', l.name);
        g.append(lg);
      }
      under.push(g);
    }
  }
  svg.prepend(...under);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(svg)}\n`;
}

/**
 * Render SVG text to a PNG of `width` x `height` CSS pixels at `scale`
 * device pixels each (the file is width·scale x height·scale pixels).
 */
export async function svgToPng(svgText: string, width: number, height: number, scale = 1, background = '#ffffff'): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = Math.round(width * scale);
    c.height = Math.round(height * scale);
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.drawImage(img, 0, 0, c.width, c.height);
    const blob = await new Promise<Blob | null>((resolve) => c.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('The browser could not make the PNG.');
    return blob;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Save `blob` as a file named `name` (the browser's download). */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
