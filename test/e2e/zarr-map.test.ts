/**
 * Maps in Chromium against the real RGW, on stores written by xarray with a
 * known pattern: a 2° grid whose land cells hold 1 and sea cells 0, the land
 * decided here by d3-geo's point-in-polygon on Natural Earth's 1:110m land
 * (the same data the coastlines are drawn from, but none of Tessera's code).
 * Checked: the coastlines drawn over the picture run along the land/sea
 * boundary of the data (within one cell) for 0..360 and -180..180
 * longitudes and descending latitudes; the globe's hover read-out names the
 * cell under the pointer with xarray's coordinates and value; a curvilinear
 * grid shows its note and the 2-D coordinates xarray reads at the cell.
 */
import { describe, expect, inject, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { geoContains, geoDistance, geoOrthographic } from 'd3-geo';
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import land110 from 'world-atlas/land-110m.json' with { type: 'json' };
import { newPage } from '../helpers/browser';
import { uploadDir } from '../integration/zarr/fixtures';
import { connectAt } from './explorer-helpers';
import { settled, useDatasetBed } from './zarr-helpers';

const run = promisify(execFile);
const STEP = 2;
const NX = 360 / STEP;
const NY = 180 / STEP;

/** Land (true) at each cell centre of the 2° grid, rows from 90°N, columns from 0°E. */
function landMask(): boolean[][] {
  const topo = land110 as unknown as Topology<{ land: GeometryCollection }>;
  const land = feature(topo, topo.objects.land);
  return Array.from({ length: NY }, (_, j) => Array.from({ length: NX }, (_, i) => geoContains(land, [i * STEP + STEP / 2, 90 - j * STEP - STEP / 2])));
}

const PYTHON = String.raw`
import json, sys
import numpy as np, xarray as xr
out, mask_file = sys.argv[1], sys.argv[2]
mask = np.array(json.load(open(mask_file)), dtype=bool)  # rows from 90N, columns from 0E
ny, nx = mask.shape
step = 360 / nx
lon360 = np.arange(nx) * step + step / 2
lat_desc = 90 - np.arange(ny) * step - step / 2
land = mask.astype('float32')
lon_attrs = {'units': 'degrees_east', 'standard_name': 'longitude'}
lat_attrs = {'units': 'degrees_north', 'standard_name': 'latitude'}
def store(name, lon, lat, values):
    ds = xr.Dataset({'land': (('lat', 'lon'), values, {'long_name': 'land (1) or sea (0)'})},
                    coords={'lon': ('lon', lon, lon_attrs), 'lat': ('lat', lat, lat_attrs)})
    ds.to_zarr(f'{out}/{name}', consolidated=True, encoding={'land': {'chunks': (ny // 2, nx // 2)}})
# 0..360 longitudes, latitudes from north to south.
store('land-0360.zarr', lon360, lat_desc, land)
# -180..180 longitudes, latitudes from south to north.
half = nx // 2
store('land-180.zarr', lon360 - 180, lat_desc[::-1], np.roll(land, half, axis=1)[::-1])
# A curvilinear grid as ocean models write it: 2-D lat(y, x), lon(y, x).
y, x = np.meshgrid(np.arange(24), np.arange(36), indexing='ij')
lat2 = (-60 + 5 * y + 0.3 * x).astype('float32')
lon2 = (100 + 7 * x - 0.5 * y + 0.01 * x * y).astype('float32')
sst = (np.sin(y / 5) * 10 + x / 3).astype('float32')
ds = xr.Dataset({'sst': (('y', 'x'), sst, {'units': 'degC'})},
                coords={'nav_lat': (('y', 'x'), lat2, {'units': 'degrees_north'}), 'nav_lon': (('y', 'x'), lon2, {'units': 'degrees_east'})})
ds.to_zarr(f'{out}/curvi.zarr', consolidated=True)
# What xarray reads back, for the checks.
expect = {}
for name in ['land-0360.zarr', 'land-180.zarr']:
    d = xr.open_zarr(f'{out}/{name}')
    expect[name] = {'lon': d.lon.values.tolist(), 'lat': d.lat.values.tolist(), 'land': d.land.values.tolist()}
c = xr.open_zarr(f'{out}/curvi.zarr')
expect['curvi'] = {'nav_lat': c.nav_lat.values.tolist(), 'nav_lon': c.nav_lon.values.tolist()}
json.dump(expect, open(f'{out}/expect.json', 'w'))
`;

interface Grid {
  lon: number[];
  lat: number[];
  land: number[][];
}

/** Points of an SVG path made of M/L commands with absolute coordinates (as Tessera writes them). */
function pathPoints(d: string): [number, number][][] {
  return d
    .split('M')
    .filter(Boolean)
    .map((part) => part.split('L').map((p) => p.split(',').map(Number) as [number, number]));
}

/** Points along every segment, about every `every` pixels. */
function along(parts: [number, number][][], every: number): [number, number][] {
  const out: [number, number][] = [];
  for (const part of parts) {
    for (let k = 1; k < part.length; k++) {
      const [a, b] = [part[k - 1]!, part[k]!];
      const n = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / every));
      for (let s = 0; s < n; s++) out.push([a[0] + ((b[0] - a[0]) * s) / n, a[1] + ((b[1] - a[1]) * s) / n]);
    }
  }
  return out;
}

describe('Maps of lon/lat data', () => {
  const appUrl = inject('appUrl');
  let expected: Record<string, Grid> & { curvi: { nav_lat: number[][]; nav_lon: number[][] } };

  const bed = useDatasetBed('maps-geo-e2e', async (dir, bucket) => {
    writeFileSync(join(dir, 'mask.json'), JSON.stringify(landMask()));
    writeFileSync(join(dir, 'make.py'), PYTHON);
    await run('/usr/bin/python3', [join(dir, 'make.py'), join(dir, 'data'), join(dir, 'mask.json')], { maxBuffer: 64 * 1024 * 1024 });
    expected = JSON.parse(readFileSync(join(dir, 'data', 'expect.json'), 'utf8'));
    await uploadDir(join(dir, 'data'), bucket, 'data/');
  });
  const { bucket } = bed;

  async function open(page: Page, store: string, view = ''): Promise<void> {
    await connectAt(page, appUrl, `#/dataset/${bucket}/data/${store}${view}`);
    await page.waitForSelector('[data-testid="dataset-summary"]');
    await settled(page);
  }

  /** The heatmap's pixels as land (1), sea (0) or nothing (-1), by the red channel (viridis: yellow vs purple). */
  async function classes(page: Page, selector: string): Promise<{ width: number; height: number; at: (x: number, y: number) => number }> {
    const { width, height, base64 } = await page.$eval(selector, (c) => {
      const canvas = c as HTMLCanvasElement;
      const img = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      // As base64: a plain array of 1.4 million numbers takes seconds to cross.
      let bin = '';
      for (let i = 0; i < img.data.length; i += 0x8000) bin += String.fromCharCode(...img.data.subarray(i, i + 0x8000));
      return { width: img.width, height: img.height, base64: btoa(bin) };
    });
    const data = Buffer.from(base64, 'base64');
    return {
      width,
      height,
      at: (x, y) => {
        if (x < 0 || y < 0 || x >= width || y >= height) return -1;
        const o = (y * width + x) * 4;
        return data[o + 3]! < 128 ? -1 : data[o]! > 160 ? 1 : 0;
      },
    };
  }

  /** Share of points with both land and sea pixels within `radius` canvas pixels. */
  function onBoundary(points: [number, number][], px: Awaited<ReturnType<typeof classes>>, radius: number): { share: number; counted: number } {
    let ok = 0;
    let counted = 0;
    for (const [x, y] of points) {
      let land = false;
      let sea = false;
      let inside = false;
      const r = Math.ceil(radius);
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const c = px.at(Math.round(x + dx), Math.round(y + dy));
          if (c === 1) land = true;
          else if (c === 0) sea = true;
          if (c >= 0 && dx === 0 && dy === 0) inside = true;
        }
      }
      if (!inside) continue;
      counted++;
      if (land && sea) ok++;
    }
    return { share: ok / counted, counted };
  }

  for (const store of ['land-0360.zarr', 'land-180.zarr']) {
    it(`draws the coastlines on the land/sea boundary of ${store} (within one cell), zoomed out and in`, async () => {
      const { page, errors } = await newPage(bed.browser);
      await open(page, store);
      expect(await page.textContent('[data-testid="map-tools"]')).toContain('coastlines');
      await page.waitForSelector('[data-testid="coastlines"]');
      // The picture is fitted: 180 x 90 cells on the 720 x 480 canvas.
      for (const zoomed of [false, true]) {
        if (zoomed) {
          // Zoom in about the picture's centre (the Pacific or Africa) with the keyboard.
          await page.focus('[data-testid="heatmap"]');
          await page.keyboard.press('+');
          await page.keyboard.press('+');
          await page.keyboard.press('+');
          await settled(page);
        }
        const zoom = await page.evaluate(() => new URLSearchParams(location.hash.split('?')[1] ?? '').get('zoom'));
        const k = zoomed ? Number(zoom!.split(',')[0]) : 1;
        expect(k).toBeGreaterThan(zoomed ? 1.5 : 0.99);
        // Give the picture time to receive its finished frame after the zoom.
        await page.waitForFunction(() => !!document.querySelector('[data-testid="coastlines"]')?.getAttribute('d'));
        const d = (await page.getAttribute('[data-testid="coastlines"]', 'd'))!;
        const px = await classes(page, '[data-testid="heatmap"]');
        const cell = 4 * k;
        const points = along(pathPoints(d), 2);
        const { share, counted } = onBoundary(points, px, cell + 1);
        expect(counted).toBeGreaterThan(zoomed ? 100 : 1000);
        // Islands smaller than a cell hold no land cell at all (the South Shetlands, Fiji, New
        // Britain...: 3 % of the coastline at this resolution, more in the Pacific the 0..360
        // grid zooms into), so nearly every point, not every one.
        expect(share, `${counted} points`).toBeGreaterThan(zoomed ? 0.92 : 0.95);
        // The check tells a misplaced coastline: moved by 3 cells, most points miss the boundary.
        const moved = pathPoints(d).map((part) => part.map(([x, y]) => [x + 3 * cell, y - 3 * cell] as [number, number]));
        expect(onBoundary(along(moved, 2), px, cell + 1).share).toBeLessThan(0.75);
      }
      // Switched off, and kept so in the address.
      await page.click('[data-testid="show-coastlines"]');
      await page.waitForSelector('[data-testid="coastlines"]', { state: 'detached' });
      await page.waitForFunction(() => location.hash.includes('map=nocoast'));
      expect(errors).toEqual([]);
      await page.context().close();
    });
  }

  it("reads the globe's cell under the pointer as xarray does, after turning it", async () => {
    const { page, errors } = await newPage(bed.browser);
    await open(page, 'land-0360.zarr');
    await page.selectOption('[data-testid="projection"]', 'orthographic');
    await page.waitForFunction(() => !!document.querySelector('[data-testid="projected-map"]')?.getAttribute('data-spec'));
    // Turn the globe by dragging it: left and up (the map, under its title, brought into view first).
    await page.locator('[data-testid="projected-map"]').scrollIntoViewIfNeeded();
    const box = (await page.locator('[data-testid="projected-map"]').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    for (let s = 1; s <= 5; s++) await page.mouse.move(box.x + box.width / 2 - 20 * s, box.y + box.height / 2 + 12 * s);
    await page.mouse.up();
    await page.waitForFunction(() => {
      const s = document.querySelector('[data-testid="projected-map"]')?.getAttribute('data-spec');
      return !!s && JSON.parse(s).rotate[0] !== 0 && location.hash.includes('map=ortho');
    });
    // The last repaint has landed: nothing is being painted, and the spec is the view's.
    await page.waitForFunction(() => document.querySelector('[data-testid="projected-map"]')?.getAttribute('data-busy') === 'false');
    const spec = (await page.getAttribute('[data-testid="projected-map"]', 'data-spec'))!;
    const parsed = JSON.parse(spec) as { rotate: [number, number]; scale: number; translate: [number, number] };
    const projection = geoOrthographic().rotate(parsed.rotate).scale(parsed.scale).translate(parsed.translate);
    const centre: [number, number] = [-parsed.rotate[0], -parsed.rotate[1]];
    const g = expected['land-0360.zarr']!;
    const inner = (await page.locator('[data-testid="projected-map"]').boundingBox())!;
    // Cells spread over the visible hemisphere, land and sea both.
    let checked = 0;
    const seen = new Set<number>();
    for (let j = 5; j < g.lat.length; j += 7) {
      for (let i = 3; i < g.lon.length; i += 11) {
        const at: [number, number] = [g.lon[i]!, g.lat[j]!];
        if (geoDistance(at, centre) > (60 * Math.PI) / 180) continue;
        const [x, y] = projection(at)!;
        // Canvas pixels (720 wide) to the page: inside the 1px border.
        const k = (inner.width - 2) / 720;
        await page.mouse.move(inner.x + 1 + x * k, inner.y + 1 + y * ((inner.height - 2) / 480));
        await page.waitForFunction(
          ([lat, lon]) => (document.querySelector('[data-testid="hover"]')?.textContent ?? '').includes(`lat = ${lat}, lon = ${lon}:`),
          [g.lat[j], g.lon[i]],
          { timeout: 10_000 },
        ).catch(() => undefined);
        const text = (await page.textContent('[data-testid="hover"]'))!;
        const m = /lat = (\S+), lon = (\S+): (\S+)/.exec(text);
        expect(m, text).not.toBeNull();
        expect([Number(m![1]), Number(m![2])], `pointer over ${at}`).toEqual([g.lat[j], g.lon[i]]);
        expect(Number(m![3])).toBe(g.land[j]![i]);
        seen.add(g.land[j]![i]!);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect([...seen].sort()).toEqual([0, 1]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('draws the coastlines of an Equal Earth map on the land/sea boundary of the painted data', async () => {
    const { page, errors } = await newPage(bed.browser);
    await open(page, 'land-180.zarr');
    await page.selectOption('[data-testid="projection"]', 'equal-earth');
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid="projected-map"]');
      return !!c?.getAttribute('data-spec') && c.getAttribute('data-busy') === 'false' && !!document.querySelector('.stage [data-testid="coastlines"]');
    });
    const spec = JSON.parse((await page.getAttribute('[data-testid="projected-map"]', 'data-spec'))!) as { scale: number };
    const d = (await page.$eval('[data-testid="projected-map"] ~ svg [data-testid="coastlines"]', (p) => p.getAttribute('d')))!;
    const px = await classes(page, '[data-testid="projected-map"]');
    // A 2° cell is at most this wide in Equal Earth (its x scale is 1.34 at the equator).
    const cell = ((spec.scale * 2 * Math.PI) / 180) * 1.35;
    const { share, counted } = onBoundary(along(pathPoints(d.replaceAll('Z', '')), 2), px, cell + 1);
    expect(counted).toBeGreaterThan(500);
    expect(share, `${counted} points`).toBeGreaterThan(0.95);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('shows a curvilinear grid in index space with its 2-D coordinates under the pointer', async () => {
    const { page, errors } = await newPage(bed.browser);
    await open(page, 'curvi.zarr');
    expect(await page.textContent('[data-testid="curvilinear-note"]')).toContain('index space');
    expect(await page.$('[data-testid="projection"]')).toBeNull();
    const box = (await page.locator('[data-testid="heatmap"]').boundingBox())!;
    const c = expected.curvi;
    let checked = 0;
    for (const [fx, fy] of [[0.2, 0.3], [0.5, 0.5], [0.8, 0.7], [0.35, 0.85], [0.65, 0.15]] as const) {
      await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
      await page.waitForFunction(() => /y = \d+, x = \d+/.test(document.querySelector('[data-testid="hover"]')?.textContent ?? '') && /nav_lat = /.test(document.querySelector('[data-testid="geo-hover"]')?.textContent ?? ''));
      // The read-out of the same cell: wait until both name it.
      await page.waitForFunction(() => {
        const m = /y = (\d+), x = (\d+)/.exec(document.querySelector('[data-testid="hover"]')?.textContent ?? '');
        const g = document.querySelector('[data-testid="geo-hover"]');
        return !!m && g?.getAttribute('data-y') === m[1] && g?.getAttribute('data-x') === m[2];
      });
      const hover = (await page.textContent('[data-testid="hover"]'))!;
      const geo = (await page.textContent('[data-testid="geo-hover"]'))!;
      const [, y, x] = /y = (\d+), x = (\d+)/.exec(hover)!.map(Number);
      const lat = Number(/nav_lat = (\S+?),/.exec(geo)![1]);
      const lon = Number(/nav_lon = (\S+)/.exec(geo)![1]);
      expect(Math.fround(lat)).toBe(Math.fround(c.nav_lat[y!]![x!]!));
      expect(Math.fround(lon)).toBe(Math.fround(c.nav_lon[y!]![x!]!));
      checked++;
    }
    expect(checked).toBe(5);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
