/**
 * Figures and comfort of the dataset view, in Chromium against the real RGW,
 * on stores written by xarray at test time: figures of projected maps
 * (Equal Earth, the globe) exported as SVG and PNG with the title, the colour
 * bar and the coastlines in the picture's projection; the colour scale and
 * reversed flag kept in the address across a reload; dates of non-Gregorian
 * calendars as cftime prints them; dragging the colour bar; the theme
 * switch; the keyboard; no horizontal scrolling at 1280 x 720.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newPage } from '../helpers/browser';
import { uploadDir } from '../integration/zarr/fixtures';
import { connectAgain, connectAt } from './explorer-helpers';
import { settled, useDatasetBed } from './zarr-helpers';
import { formatValue, parseNumber } from '../../src/lib/plot/number-format';

const SCRIPT = String.raw`
import json, sys
import numpy as np, xarray as xr
out = sys.argv[1]
lat = 88.0 - 4.0 * np.arange(45)
lon = 2.0 + 4.0 * np.arange(90)
nt = 4
tas = (250 + 40 * np.cos(np.deg2rad(lat))[None, :, None] + 5 * np.sin(np.deg2rad(lon))[None, None, :] + np.arange(nt)[:, None, None]).astype('float32')
coords = {
    'lat': ('lat', lat, {'units': 'degrees_north', 'standard_name': 'latitude'}),
    'lon': ('lon', lon, {'units': 'degrees_east', 'standard_name': 'longitude'}),
}
expected = {}
def write(name, time, time_attrs):
    ds = xr.Dataset({'tas': (('time', 'lat', 'lon'), tas, {'units': 'K', 'long_name': 'Near-surface air temperature'})},
                    coords={**coords, 'time': ('time', time, time_attrs)})
    ds.to_zarr(f'{out}/{name}.zarr', consolidated=True, mode='w')
    back = xr.open_zarr(f'{out}/{name}.zarr')
    t0 = back['tas'].isel(time=0)
    times = [v.isoformat() if hasattr(v, 'isoformat') else str(v)[:19] for v in back['time'].values]
    # As xarray shows an axis of whole days: the dates alone.
    midnight = all(t.endswith('T00:00:00') for t in times)
    expected[name] = {'min': float(t0.min()), 'max': float(t0.max()),
                      'time': [t[:10] if midnight else t for t in times],
                      'type': type(back['time'].values[0]).__name__}
write('globe', np.arange(nt, dtype='float64'), {'units': 'days since 2001-06-01', 'calendar': 'standard'})
# Non-Gregorian calendars: times cftime decodes (xarray prints cftime dates).
write('noleap', np.array([58.0, 59.0, 424.0, 789.0]), {'units': 'days since 2001-01-01', 'calendar': 'noleap'})
write('d360', np.array([29.0, 30.0, 59.0, 359.5]), {'units': 'days since 2001-01-01', 'calendar': '360_day'})
write('julian', np.array([0.0, 58.0, 59.0, 1154.0]), {'units': 'days since 1999-01-01', 'calendar': 'julian'})
print(json.dumps(expected))
`;

interface Expected {
  min: number;
  max: number;
  /** The time axis as xarray reads it (cftime dates for the model calendars). */
  time: string[];
  /** The Python type of a time value (`DatetimeNoLeap`…: cftime decoded it). */
  type: string;
}

describe('figures and comfort of the dataset view', () => {
  const appUrl = inject('appUrl');
  let expected: Record<string, Expected>;

  const bed = useDatasetBed('figure-extra-e2e', async (dir, bucket) => {
    expected = JSON.parse(execFileSync('/usr/bin/python3', ['-c', SCRIPT, join(dir, 'data')], { encoding: 'utf8' })) as Record<string, Expected>;
    await uploadDir(join(dir, 'data'), bucket, 'data/');
  });
  const { bucket } = bed;

  async function open(page: Page, store: string, view = ''): Promise<void> {
    await connectAt(page, appUrl, `#/dataset/${bucket}/data/${store}.zarr${view}`);
    await page.waitForSelector('[data-testid="dataset-summary"]');
    await settled(page);
  }

  /** Wait until the projected map's last picture is painted. */
  async function painted(page: Page): Promise<void> {
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid="projected-map"]');
      return !!c?.getAttribute('data-spec') && c.getAttribute('data-busy') === 'false' && !!document.querySelector('.stage [data-testid="coastlines"]')?.getAttribute('d');
    });
  }

  /** The SVG figure saved by "Export figure…" → SVG. */
  async function exportSvg(page: Page): Promise<string> {
    await page.click('[data-testid="export-figure"]');
    const [file] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="figure-svg"]')]);
    expect(file.suggestedFilename()).toMatch(/\.svg$/);
    return readFileSync((await file.path())!, 'utf8');
  }

  /** The PNG figure saved at `width` x `height` and `scale`: its pixel size. */
  async function exportPng(page: Page, width: number, height: number, scale: number): Promise<[number, number]> {
    await page.click('[data-testid="export-figure"]');
    await page.fill('[data-testid="figure-width"]', String(width));
    await page.fill('[data-testid="figure-height"]', String(height));
    await page.selectOption('[data-testid="figure-scale"]', String(scale));
    const [file] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="figure-png"]')]);
    expect(file.suggestedFilename()).toMatch(/\.png$/);
    const png = readFileSync((await file.path())!);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    return [png.readUInt32BE(16), png.readUInt32BE(20)];
  }

  for (const projection of ['equal-earth', 'orthographic'] as const) {
    it(`exports a ${projection} map as SVG and PNG with its title, colour bar and coastlines in the projection`, async () => {
      const { page, errors } = await newPage(bed.browser);
      await open(page, 'globe');
      const s = expected.globe!;
      await page.getByLabel('robust range (2–98 %)').uncheck();
      await page.selectOption('[data-testid="projection"]', projection);
      await painted(page);
      const frame = page.locator('[data-testid="plot-frame"]:visible');
      await expect.poll(() => frame.locator('[data-testid="colorbar-min"]').textContent()).toBe(formatValue(s.min));
      // Turn or move the map, so the export must follow the view, not the default one.
      const before = await page.getAttribute('[data-testid="projected-map"]', 'data-spec');
      await page.focus('[data-testid="projected-map"]');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      await page.waitForFunction((b) => document.querySelector('[data-testid="projected-map"]')?.getAttribute('data-spec') !== b, before);
      await painted(page);
      const screen = await page.$eval('[data-testid="projected-map"] ~ svg [data-testid="coastlines"]', (p) => p.getAttribute('d')!);
      // The on-screen figure has a title and colour bar and no axes (the graticule shows where).
      expect(await frame.locator('[data-testid="figure-title"]').textContent()).toBe('Near-surface air temperature [K]');
      expect(await frame.locator('[data-testid="x-tick"]').count()).toBe(0);

      const svg = await exportSvg(page);
      expect(svg).toContain('>Near-surface air temperature [K]</text>');
      expect(svg).toContain(`>time = ${s.time[0]}</text>`);
      expect(svg).toContain(`>${formatValue(s.min)}</text>`);
      expect(svg).toContain(`>${formatValue(s.max)}</text>`);
      expect(svg).toContain('>K</text>');
      expect(svg).not.toContain('data-testid="x-tick"');
      // The coastlines are the ones on screen: the same projection, the same view.
      const coast = /<path d="([^"]+)"[^>]*data-layer="coastlines"/.exec(svg);
      expect(coast, 'a coastline path').not.toBeNull();
      expect(coast![1]).toBe(screen);
      expect(svg).toMatch(/data-layer="outline"/);
      expect(svg).toMatch(/data-layer="graticule"/);
      // The picture painted in the projection, embedded under the plot area at the canvas' size.
      const image = /<image href="data:image\/png;base64,([^"]+)" x="([\d.]+)" y="([\d.]+)" width="720" height="480"/.exec(svg);
      expect(image, 'the projected picture').not.toBeNull();
      const picture = Buffer.from(image![1]!, 'base64');
      expect([picture.readUInt32BE(16), picture.readUInt32BE(20)]).toEqual([720, 480]);
      // It is the painted map: the SVG parsed by the browser shows its pixels where the Earth is.
      const inside = await page.evaluate(async (text) => {
        const img = new Image();
        img.src = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.naturalWidth;
        c.height = img.naturalHeight;
        const ctx = c.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const spec = JSON.parse(document.querySelector('[data-testid="projected-map"]')!.getAttribute('data-spec')!) as { translate: [number, number] };
        const plot = document.querySelector('[data-testid="plot-frame"]:not([hidden] *) [data-testid="plot-area"]');
        const x = Number(plot?.getAttribute('x')) + spec.translate[0];
        const y = Number(plot?.getAttribute('y')) + spec.translate[1];
        return [...ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data];
      }, svg);
      // viridis at some value between the ends: neither the white background nor transparent.
      expect(inside[3]).toBe(255);
      expect(inside.slice(0, 3)).not.toEqual([255, 255, 255]);

      expect(await exportPng(page, 800, 600, 2)).toEqual([1600, 1200]);
      expect(await exportPng(page, 500, 400, 1)).toEqual([500, 400]);
      expect(errors).toEqual([]);
      await page.context().close();
    });
  }

  /** A digest of the heatmap's pixels (what the picture looks like). */
  async function pixels(page: Page): Promise<string> {
    return page.$eval('[data-testid="heatmap"]', (c) => {
      const canvas = c as HTMLCanvasElement;
      const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let h = 0;
      for (let i = 0; i < d.length; i++) h = (Math.imul(h, 31) + d[i]!) | 0;
      return `${h}`;
    });
  }

  it('keeps the colour scale and the reversed colours in the address, and shows them again after a reload', async () => {
    const { page, errors } = await newPage(bed.browser);
    await open(page, 'globe');
    const plain = await pixels(page);
    await page.selectOption('[data-testid="cmap-scale"]', 'log');
    await page.check('[data-testid="cmap-reverse"]');
    await page.waitForFunction(() => /[?&]scale=log(&|$)/.test(location.hash) && /[?&]reverse=1(&|$)/.test(location.hash));
    await page.waitForFunction(() => (document.querySelector('[data-testid="colorbar-units"]')?.textContent ?? '').includes('log scale'));
    // The picture has been coloured again: wait until it stops changing.
    await expect.poll(() => pixels(page)).not.toBe(plain);
    let chosen = await pixels(page);
    await expect.poll(async () => (chosen = await pixels(page))).toBe(chosen);
    const address = page.url();

    await page.reload();
    await connectAgain(page);
    await page.waitForSelector('[data-testid="dataset-summary"]');
    await settled(page);
    expect(page.url()).toBe(address);
    expect(await page.inputValue('[data-testid="cmap-scale"]')).toBe('log');
    expect(await page.isChecked('[data-testid="cmap-reverse"]')).toBe(true);
    expect(await page.textContent('[data-testid="colorbar-units"]')).toBe('K (log scale)');
    await expect.poll(() => pixels(page)).toBe(chosen);

    // Back to linear and not reversed: both leave the address, and the picture is the first one again.
    await page.selectOption('[data-testid="cmap-scale"]', 'linear');
    await page.uncheck('[data-testid="cmap-reverse"]');
    await page.waitForFunction(() => /[?&]scale=linear(&|$)/.test(location.hash) && !/reverse=/.test(location.hash));
    await expect.poll(() => pixels(page)).toBe(plain);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  for (const [store, type] of [['noleap', 'DatetimeNoLeap'], ['d360', 'Datetime360Day'], ['julian', 'DatetimeJulian']] as const) {
    it(`shows the dates of the ${store} calendar as cftime decodes them, in the title and along the series`, async () => {
      const { page, errors } = await newPage(bed.browser);
      const s = expected[store]!;
      expect(s.type).toBe(type);
      await open(page, store);
      const frame = page.locator('[data-testid="plot-frame"]:visible');
      expect(await frame.locator('[data-testid="figure-subtitle"]').textContent()).toBe(`time = ${s.time[0]}`);
      // Every step of the time slider, by the keyboard: the title names xarray's date.
      await page.focus('[data-testid="slider-time"]');
      for (let i = 1; i < s.time.length; i++) {
        await page.keyboard.press('ArrowRight');
        await settled(page);
        await expect.poll(() => frame.locator('[data-testid="figure-subtitle"]').textContent()).toBe(`time = ${s.time[i]}`);
        expect(await page.textContent('[data-testid="label-time"]')).toBe(s.time[i]);
      }
      // The series along time: its axis is labelled with dates, and its read-out names each step's date.
      const heatmap = page.locator('[data-testid="heatmap"]');
      await heatmap.scrollIntoViewIfNeeded();
      const box = (await heatmap.boundingBox())!;
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await page.waitForSelector('[data-testid="series-chart"]');
      const ticks = await page.locator('[data-testid="series-x-tick"]').allTextContents();
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      // Dates (not the stored numbers of days), within the years the axis spans.
      const years = s.time.map((t) => Number(t.slice(0, 4)));
      for (const t of ticks) {
        expect(t, `series tick ${t}`).toMatch(/^\d{4}(-\d\d(-\d\d( \d\d:\d\d)?)?)?$/);
        expect(Number(t.slice(0, 4)), `series tick ${t}`).toBeGreaterThanOrEqual(years[0]!);
        expect(Number(t.slice(0, 4)), `series tick ${t}`).toBeLessThanOrEqual(years.at(-1)!);
      }
      await page.focus('[data-testid="series-chart"] svg');
      for (let i = 0; i < s.time.length; i++) {
        await page.keyboard.press('ArrowRight');
        expect(await page.textContent('[data-testid="series-readout"]')).toMatch(new RegExp(`^time = ${s.time[i]}: `));
      }
      expect(errors).toEqual([]);
      await page.context().close();
    });
  }

  it('paints the projected map in the reversed colours and log scale of the flat one', async () => {
    const { page, errors } = await newPage(bed.browser);
    await open(page, 'globe');
    await page.selectOption('[data-testid="projection"]', 'equal-earth');
    await painted(page);
    const canvas = '[data-testid="projected-map"]';
    /** The projected picture's colour at the Earth's centre (0°E, 0°N on this unrotated map). */
    const centre = () => page.$eval(canvas, (c) => {
      const e = c as HTMLCanvasElement;
      const spec = JSON.parse(e.getAttribute('data-spec')!) as { translate: [number, number] };
      return [...e.getContext('2d')!.getImageData(Math.round(spec.translate[0]), Math.round(spec.translate[1]), 1, 1).data].join(',');
    });
    const plain = await centre();
    await page.check('[data-testid="cmap-reverse"]');
    await expect.poll(async () => {
      await painted(page);
      return centre();
    }).not.toBe(plain);
    const reversed = await centre();
    await page.selectOption('[data-testid="cmap-scale"]', 'log');
    await expect.poll(async () => {
      await painted(page);
      return centre();
    }).not.toBe(reversed);
    // Back to linear and the original direction: the first colours again.
    await page.selectOption('[data-testid="cmap-scale"]', 'linear');
    await page.uncheck('[data-testid="cmap-reverse"]');
    await expect.poll(async () => {
      await painted(page);
      return centre();
    }).toBe(plain);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("sets the colour range by dragging the colour bar's end: the picture, the read-out and the address follow", async () => {
    const { page, errors } = await newPage(bed.browser);
    await open(page, 'globe');
    const s = expected.globe!;
    await page.getByLabel('robust range (2–98 %)').uncheck();
    const frame = page.locator('[data-testid="plot-frame"]:visible');
    await expect.poll(() => frame.locator('[data-testid="colorbar-max"]').textContent()).toBe(formatValue(s.max));
    await expect.poll(async () => parseNumber(await page.inputValue('[data-testid="range-max"]'))).toBeCloseTo(s.max, 3);
    let before = await pixels(page);
    await expect.poll(async () => (before = await pixels(page))).toBe(before);
    const strip = (await frame.locator('[data-testid="colorbar"] image').boundingBox())!;
    const handle = frame.locator('[data-testid="colorbar"] rect[role="slider"]').nth(1);
    await handle.scrollIntoViewIfNeeded();
    const h = (await handle.boundingBox())!;
    const y = h.y + h.height / 2;
    // Drag the max end to 70 % of the bar.
    const to = strip.x + strip.width * 0.7;
    await page.mouse.move(h.x + h.width / 2, y);
    await page.mouse.down();
    for (let k = 1; k <= 8; k++) await page.mouse.move(h.x + h.width / 2 + ((to - h.x - h.width / 2) * k) / 8, y);
    await page.mouse.up();
    const want = s.min + (s.max - s.min) * 0.7;
    // The colour bar's end, the typed range and the address read the new maximum.
    await expect.poll(async () => parseNumber(await page.inputValue('[data-testid="range-max"]'))).toBeCloseTo(want, 0);
    const max = parseNumber(await page.inputValue('[data-testid="range-max"]'));
    expect(Math.abs(max - want)).toBeLessThan((s.max - s.min) * 0.01);
    expect(parseNumber((await frame.locator('[data-testid="colorbar-max"]').textContent())!)).toBeCloseTo(max, 1);
    expect(parseNumber(await page.inputValue('[data-testid="range-min"]'))).toBeCloseTo(s.min, 3);
    await page.waitForFunction(() => /[?&]range=/.test(location.hash));
    const range = await page.evaluate(() => new URLSearchParams(location.hash.split('?')[1]).get('range'));
    expect(Number(range!.split(',')[1])).toBeCloseTo(max, 6);
    // The picture is coloured again: the cells above the new maximum take the top colour.
    await expect.poll(() => pixels(page)).not.toBe(before);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  /** The page's background colour, as the browser paints it. */
  const background = (page: Page) => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  /** The lowest contrast ratio (WCAG) of any text of the dataset view against what is behind it, and where. */
  async function lowestContrast(page: Page): Promise<{ ratio: number; where: string }> {
    return page.evaluate(() => {
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
      const lum = ([r, g, b]: number[]) => {
        const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
      };
      const behind = (e: Element | null): string => {
        for (; e; e = e.parentElement) {
          const c = getComputedStyle(e).backgroundColor;
          const p = rgb(c);
          if (p.length >= 3 && (p.length < 4 || p[3]! > 0.5)) return c;
        }
        return getComputedStyle(document.documentElement).backgroundColor;
      };
      let worst = { ratio: Infinity, where: '' };
      for (const e of document.querySelectorAll<HTMLElement>('.dataset *')) {
        if (e instanceof SVGElement || !e.offsetParent) continue;
        if (![...e.childNodes].some((n) => n.nodeType === 3 && n.textContent!.trim())) continue;
        const a = lum(rgb(getComputedStyle(e).color));
        const b = lum(rgb(behind(e)));
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        if (ratio < worst.ratio) worst = { ratio, where: `${e.tagName.toLowerCase()}.${e.className} "${e.textContent!.trim().slice(0, 40)}"` };
      }
      return worst;
    });
  }

  it('follows prefers-color-scheme until the theme switch says otherwise, and keeps the choice', async () => {
    const { page, errors } = await newPage(bed.browser);
    await page.emulateMedia({ colorScheme: 'dark' });
    await open(page, 'globe');
    const dark = 'rgb(21, 25, 30)';
    const light = 'rgb(255, 255, 255)';
    expect(await background(page)).toBe(dark);
    // Every text of the dataset view (the selected variable, notes, tools) is readable in the dark.
    const d = await lowestContrast(page);
    expect(d.ratio, d.where).toBeGreaterThanOrEqual(3);
    await page.selectOption('[data-testid="theme"]', 'light');
    expect(await background(page)).toBe(light);
    const l = await lowestContrast(page);
    expect(l.ratio, l.where).toBeGreaterThanOrEqual(3);
    // Kept in this browser: a reload under the dark system scheme stays light.
    await page.reload();
    await connectAgain(page);
    await page.waitForSelector('[data-testid="dataset-summary"]');
    expect(await page.inputValue('[data-testid="theme"]')).toBe('light');
    expect(await background(page)).toBe(light);
    await page.selectOption('[data-testid="theme"]', 'system');
    expect(await background(page)).toBe(dark);
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await background(page)).toBe(light);
    await page.selectOption('[data-testid="theme"]', 'dark');
    expect(await background(page)).toBe(dark);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('answers the keyboard: / finds, arrow keys step the focused slider, space plays and pauses', async () => {
    const { page, errors } = await newPage(bed.browser);
    await open(page, 'globe');
    const s = expected.globe!;
    const frame = page.locator('[data-testid="plot-frame"]:visible');
    // `/` from anywhere but a text field focuses the dataset's filter box.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('filter');
    await page.keyboard.type('air temp');
    await page.waitForSelector('[data-testid="var-lat"]', { state: 'detached' });
    expect(await page.isVisible('[data-testid="var-tas"]')).toBe(true);
    await page.fill('[data-testid="filter"]', 'no such');
    await page.waitForSelector('[data-testid="var-tas"]', { state: 'detached' });
    await page.fill('[data-testid="filter"]', '');
    await page.waitForSelector('[data-testid="var-tas"]');
    // Arrow keys on the focused slider step it, one position at a time.
    await page.focus('[data-testid="slider-time"]');
    await page.keyboard.press('ArrowRight');
    await settled(page);
    expect(await page.textContent('[data-testid="label-time"]')).toBe(s.time[1]);
    await expect.poll(() => frame.locator('[data-testid="figure-subtitle"]').textContent()).toBe(`time = ${s.time[1]}`);
    await page.keyboard.press('ArrowRight');
    await settled(page);
    expect(await page.textContent('[data-testid="label-time"]')).toBe(s.time[2]);
    await page.keyboard.press('ArrowLeft');
    await settled(page);
    expect(await page.textContent('[data-testid="label-time"]')).toBe(s.time[1]);
    // Space plays (the slider moves on by itself) and pauses.
    await page.keyboard.press(' ');
    expect(await page.getAttribute('[data-testid="play"]', 'aria-pressed')).toBe('true');
    await page.waitForFunction((t) => document.querySelector('[data-testid="label-time"]')?.textContent !== t, s.time[1]);
    await page.keyboard.press(' ');
    expect(await page.getAttribute('[data-testid="play"]', 'aria-pressed')).toBe('false');
    expect(await page.textContent('[data-testid="play"]')).toBe('Play');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('fits the dataset view in 1280 x 720 without scrolling sideways (flat, projected, with a series, exporting)', async () => {
    const { page, errors } = await newPage(bed.browser);
    await page.setViewportSize({ width: 1280, height: 720 });
    await open(page, 'globe');
    const fits = () => page.evaluate(() => {
      const e = document.scrollingElement!;
      return { scroll: e.scrollWidth, client: e.clientWidth };
    });
    const check = async (where: string) => {
      const f = await fits();
      expect(f.scroll, `${where}: ${f.scroll} wide in ${f.client}`).toBeLessThanOrEqual(f.client);
    };
    await check('flat map');
    const heatmap = page.locator('[data-testid="heatmap"]');
    await heatmap.scrollIntoViewIfNeeded();
    const box = (await heatmap.boundingBox())!;
    await page.mouse.click(box.x + box.width / 3, box.y + box.height / 3);
    await page.waitForSelector('[data-testid="series-chart"]');
    await check('with a series');
    for (const projection of ['equal-earth', 'orthographic']) {
      await page.selectOption('[data-testid="projection"]', projection);
      await painted(page);
      await check(projection);
    }
    await page.click('[data-testid="export-figure"]');
    await page.waitForSelector('[data-testid="figure-dialog"][open]');
    await check('export dialog');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
