/**
 * The heatmap as a figure, in Chromium, on stores written by xarray at test
 * time: every tick label of both axes sits where xarray's coordinate has
 * that value (ascending and descending latitudes, -180..180 and 0..360
 * longitudes, a dimension without a coordinate), before and after zooming;
 * the colour bar's ends read the slice's min and max (xarray's) in the one
 * number formatter; the exported SVG carries the tick labels, the title and
 * the colour bar with its units, and the PNG has the pixel size asked for.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newPage } from '../helpers/browser';
import { createBucket, destroyBucket } from '../helpers/s3';
import { uploadDir } from '../integration/zarr/fixtures';
import { connectAt } from './explorer-helpers';
import { settled } from './zarr-helpers';
import { formatValue } from '../../src/lib/plot/number-format';

const SCRIPT = String.raw`
import json, sys
import numpy as np, xarray as xr
out = sys.argv[1]
rng = np.random.default_rng(7)
stores = {
  'asc': dict(lat=np.arange(-60.0, 61.0, 10.0), lon=np.arange(-180.0, 180.0, 10.0)),
  'desc': dict(lat=np.linspace(85, -85, 18), lon=np.arange(36) * 10.0),
}
expected = {}
for name, c in stores.items():
    ny, nx = len(c['lat']), len(c['lon'])
    tas = (280 + 20 * np.cos(np.deg2rad(c['lat']))[None, :, None] + rng.normal(0, 2, (3, ny, nx))).astype('float32')
    ds = xr.Dataset(
        {'tas': (('time', 'lat', 'lon'), tas, {'units': 'K', 'long_name': 'Near-surface air temperature'})},
        coords={
            'time': ('time', np.datetime64('2001-06-01') + np.arange(3).astype('timedelta64[D]')),
            'lat': ('lat', c['lat'], {'units': 'degrees_north', 'standard_name': 'latitude'}),
            'lon': ('lon', c['lon'], {'units': 'degrees_east', 'standard_name': 'longitude'}),
        })
    ds.to_zarr(f'{out}/{name}.zarr', consolidated=True, mode='w')
    back = xr.open_zarr(f'{out}/{name}.zarr')
    s = back['tas'].isel(time=0)
    expected[name] = {'y': [float(v) for v in back['lat'].values], 'x': [float(v) for v in back['lon'].values],
                      'min': float(s.min()), 'max': float(s.max()), 'time': str(back['time'].values[0])[:10]}
z = (np.arange(20 * 30).reshape(20, 30) * 0.5 + 3).astype('float64')
xr.Dataset({'z': (('y', 'x'), z, {'units': 'm'})}).to_zarr(f'{out}/noc.zarr', consolidated=True, mode='w')
back = xr.open_zarr(f'{out}/noc.zarr')
expected['noc'] = {'y': None, 'x': None, 'ny': 20, 'nx': 30, 'min': float(back['z'].min()), 'max': float(back['z'].max())}
print(json.dumps(expected))
`;

interface Store {
  y: number[] | null;
  x: number[] | null;
  ny?: number;
  nx?: number;
  min: number;
  max: number;
  time?: string;
}

/** The value a tick label names: `30°N` → 30, `120°W` → -120, `0°` → 0, `12` → 12. */
function labelValue(label: string): number {
  const m = /^(-?[\d.]+)°([NSEW]?)$/.exec(label);
  if (!m) return Number(label);
  const v = Number(m[1]);
  return m[2] === 'S' || m[2] === 'W' ? -v : v;
}

/** Fractional index of `value` in coordinate `c` (linear between cells, as the axis lays them out). */
function indexOf(c: number[], value: number, wrap: boolean): number {
  const candidates = wrap ? [value, value + 360, value - 360] : [value];
  for (const v of candidates) {
    for (let i = 0; i + 1 < c.length; i++) {
      const a = c[i]!;
      const b = c[i + 1]!;
      if ((v - a) * (v - b) <= 0) return i + (v - a) / (b - a);
    }
    // Within half a cell beyond either end.
    const n = c.length;
    const first = (v - c[0]!) / (c[1]! - c[0]!);
    if (first >= -0.5 && first <= 0) return first;
    const last = n - 1 + (v - c[n - 1]!) / (c[n - 1]! - c[n - 2]!);
    if (last >= n - 1 && last <= n - 0.5) return last;
  }
  return NaN;
}

interface Seen {
  x: { label: string; screen: number }[];
  y: { label: string; screen: number }[];
  canvas: { x: number; y: number; width: number; height: number };
}

/** Every tick of both axes with its position on screen, and where the canvas is. */
async function ticks(page: Page): Promise<Seen> {
  return page.evaluate(() => {
    const svg = document.querySelector<SVGSVGElement>('[data-testid="figure"]')!;
    const m = svg.getScreenCTM()!;
    const read = (axis: 'x' | 'y') =>
      [...svg.querySelectorAll(`[data-testid="${axis}-tick"]`)].map((t) => {
        const at = Number(t.getAttribute('data-at'));
        return { label: t.textContent ?? '', screen: axis === 'x' ? m.a * at + m.e : m.d * at + m.f };
      });
    const r = document.querySelector('[data-testid="heatmap"]')!.getBoundingClientRect();
    return { x: read('x'), y: read('y'), canvas: { x: r.x, y: r.y, width: r.width, height: r.height } };
  });
}

/**
 * Check every tick against the coordinate: where the picture puts the cell
 * of fractional index p (the fitted view, zoomed `k` times about the centre),
 * the label's value must be the coordinate's at p.
 */
function checkTicks(seen: Seen, s: Store, k: number, where: string): void {
  const nx = s.x?.length ?? s.nx!;
  const ny = s.y?.length ?? s.ny!;
  const cw = 720;
  const ch = 480;
  const fit = Math.min(cw / nx, ch / ny);
  const scale = fit * k;
  const tx0 = (cw - nx * fit) / 2;
  const ty0 = (ch - ny * fit) / 2;
  const tx = cw / 2 - (cw / 2 - tx0) * k;
  const ty = ch / 2 - (ch / 2 - ty0) * k;
  const px = seen.canvas.width / cw;
  // Rows are drawn bottom-up unless the y coordinate decreases.
  const flip = !(s.y && s.y[0]! > s.y[s.y.length - 1]!);
  expect(seen.x.length, `${where}: x ticks`).toBeGreaterThanOrEqual(3);
  expect(seen.y.length, `${where}: y ticks`).toBeGreaterThanOrEqual(3);
  for (const t of seen.x) {
    const p = s.x ? indexOf(s.x, labelValue(t.label), true) : labelValue(t.label);
    expect(Number.isFinite(p), `${where}: x tick ${t.label} names a coordinate value`).toBe(true);
    const want = seen.canvas.x + (tx + (p + 0.5) * scale) * px;
    expect(Math.abs(t.screen - want), `${where}: x tick ${t.label} at ${t.screen}, coordinate there at ${want}`).toBeLessThan(1);
  }
  for (const t of seen.y) {
    const p = s.y ? indexOf(s.y, labelValue(t.label), false) : labelValue(t.label);
    expect(Number.isFinite(p), `${where}: y tick ${t.label} names a coordinate value`).toBe(true);
    const row = flip ? ty + (ny - p - 0.5) * scale : ty + (p + 0.5) * scale;
    const want = seen.canvas.y + row * px;
    expect(Math.abs(t.screen - want), `${where}: y tick ${t.label} at ${t.screen}, coordinate there at ${want}`).toBeLessThan(1);
  }
}

describe('the heatmap as a figure', () => {
  const appUrl = inject('appUrl');
  const bucket = `maps-axes-plot-${Date.now().toString(36)}`;
  let dir = '';
  let expected: Record<string, Store>;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-plot-'));
    expected = JSON.parse(execFileSync('/usr/bin/python3', ['-c', SCRIPT, dir], { encoding: 'utf8' })) as Record<string, Store>;
    await createBucket(bucket, { corsOrigins: [new URL(appUrl).origin] });
    await uploadDir(dir, bucket, 'data/');
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
    await destroyBucket(bucket);
  });

  async function open(page: Page, store: string): Promise<void> {
    await page.goto(`${appUrl}#/dataset/${bucket}/data/${store}.zarr`);
    await page.waitForSelector('[data-testid="dataset-summary"]');
    await settled(page);
    // The axes need the coordinates, read alongside the first picture.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="x-tick"]').length > 2 && document.querySelectorAll('[data-testid="y-tick"]').length > 2);
  }

  it('puts every tick where the coordinate has its value, ascending, descending, 0..360 and without coordinates, and after zooming', async () => {
    const { page, errors } = await newPage(browser);
    await page.setViewportSize({ width: 1280, height: 720 });
    await connectAt(page, appUrl, `#/dataset/${bucket}/data/asc.zarr`);
    for (const store of ['asc', 'desc', 'noc']) {
      const s = expected[store]!;
      await open(page, store);
      const seen = await ticks(page);
      checkTicks(seen, s, 1, store);
      if (s.x) {
        // Longitudes with hemispheres, whatever the convention of the store.
        expect(seen.x.map((t) => t.label).join(' ')).toMatch(/\d+°W/);
        expect(seen.y.map((t) => t.label).join(' ')).toMatch(/\d+°S/);
        expect(await page.textContent('[data-testid="figure-subtitle"]')).toBe(`time = ${s.time}`);
      }
      // Zoomed in twice about the centre: the ticks follow.
      await page.focus('[data-testid="heatmap"]');
      await page.keyboard.press('+');
      await page.keyboard.press('+');
      checkTicks(await ticks(page), s, 1.25 * 1.25, `${store} zoomed`);
      await page.keyboard.press('0');
      // No horizontal scrolling at 1280 x 720.
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('labels the colour bar ends with the slice range and exports SVG and PNG figures', async () => {
    const { page, errors } = await newPage(browser);
    await connectAt(page, appUrl, `#/dataset/${bucket}/data/desc.zarr`);
    const s = expected.desc!;
    await open(page, 'desc');
    // The whole range (not the robust 2-98 % one): the ends are xarray's min and max.
    await page.getByLabel('robust range (2–98 %)').uncheck();
    await page.waitForFunction((want) => document.querySelector('[data-testid="colorbar-min"]')?.textContent === want, formatValue(s.min));
    expect(await page.textContent('[data-testid="colorbar-max"]')).toBe(formatValue(s.max));
    expect(await page.textContent('[data-testid="colorbar-units"]')).toBe('K');
    const xLabels = (await ticks(page)).x.map((t) => t.label);

    await page.click('[data-testid="export-figure"]');
    const [svgFile] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="figure-svg"]')]);
    expect(svgFile.suggestedFilename()).toMatch(/\.svg$/);
    const svg = readFileSync((await svgFile.path())!, 'utf8');
    expect(svg).toContain('Near-surface air temperature [K]');
    expect(svg).toContain(`time = ${s.time}`);
    for (const l of xLabels) expect(svg).toContain(`>${l}</text>`);
    expect(svg).toContain(`>${formatValue(s.min)}</text>`);
    expect(svg).toContain(`>${formatValue(s.max)}</text>`);
    expect(svg).toContain('>K</text>');
    expect(svg).toContain('<image');

    await page.click('[data-testid="export-figure"]');
    await page.fill('[data-testid="figure-width"]', '600');
    await page.fill('[data-testid="figure-height"]', '450');
    await page.selectOption('[data-testid="figure-scale"]', '2');
    const [pngFile] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="figure-png"]')]);
    const png = readFileSync((await pngFile.path())!);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 900]);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
