/**
 * The dataset view in Chromium against the real RGW, on stores written by
 * xarray: open a private dataset with keys, a public one by its URL without
 * keys, move the time slider, hover a value (checked against xarray), click a
 * point for its time series, and see broken chunks reported, not hidden.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newPage } from '../helpers/browser';
import { loadRgwEnv } from '../helpers/rgw-env';
import { createBucket, destroyBucket, rgwService, uniqueBucket } from '../helpers/s3';
import { makeFixtures, makeReadableByAnyone, uploadDir, V3_SHAPE, v3Value, writeV3Store, type Expected } from '../integration/zarr/fixtures';
import { makeNestedFixtures, type NestedCheck } from '../integration/zarr/nested-fixtures';
import * as zarr from 'zarrita';
import { connectAgain, connectAt } from './explorer-helpers';
import { formatBytes } from '../../src/lib/format';

/** Stripes one value wide (x % 2) on a 960 x 1440 grid: only a picture at full resolution shows them. */
async function writeStripes(put: (key: string, body: Uint8Array) => Promise<unknown>, prefix: string): Promise<void> {
  const mem = new Map<string, Uint8Array>();
  const root = zarr.root(mem);
  await zarr.create(root, { attributes: {} });
  const shape = [960, 1440];
  const a = await zarr.create(root.resolve('stripes'), { shape, chunkShape: [480, 720], dtype: 'float32', dimensionNames: ['y', 'x'], codecs: [{ name: 'bytes', configuration: { endian: 'little' } }, { name: 'zstd', configuration: { level: 1, checksum: false } }] });
  await zarr.set(a, null, { data: new Float32Array(960 * 1440).map((_, i) => i % 2), shape, stride: [1440, 1] });
  for (const [k, body] of mem) await put(prefix + k.slice(1), body);
}

describe('Zarr dataset view', () => {
  const appUrl = inject('appUrl');
  const bucket = uniqueBucket('zarr-e2e');
  let browser: Browser;
  let expected: Expected;
  let nested: NestedCheck[] = [];
  let cleanup = () => {};

  beforeAll(async () => {
    const [f, n] = await Promise.all([makeFixtures(), makeNestedFixtures()]);
    expected = f.expected;
    nested = n.checks;
    cleanup = () => {
      f.cleanup();
      n.cleanup();
    };
    await createBucket(bucket, { corsOrigins: [new URL(appUrl).origin] });
    await uploadDir(f.dir, bucket, 'data/');
    await uploadDir(n.dir, bucket, 'data/');
    const service = rgwService();
    await writeV3Store((key, body) => service.putObject({ bucket, key, body, md5: false }), 'data/v3.zarr/');
    await writeStripes((key, body) => service.putObject({ bucket, key, body, md5: false }), 'data/stripes.zarr/');
    await makeReadableByAnyone(bucket);
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    cleanup();
    await destroyBucket(bucket);
  });

  const check = (v: string, t: number) => expected.checks.find((c) => c.store === 'cf.zarr' && c.var === v && c.index[0] === t && c.free.join() === '1,2')!;
  const lat = () => expected.checks.find((c) => c.store === 'cf.zarr' && c.var === 'lat')!.values as number[];

  async function drawn(page: Page): Promise<void> {
    await page.waitForFunction(() => /chunks? drawn/.test(document.querySelector('[data-testid="draw-status"]')?.textContent ?? ''), undefined, { timeout: 60_000 });
  }

  /** Move the time slider two steps right by keyboard (to 2000-01-03) and wait until that slice is drawn. */
  async function twoStepsToThirdDay(page: Page): Promise<void> {
    await page.focus('[data-testid="slider-time"]');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => document.querySelector('[data-testid="label-time"]')?.textContent === '2000-01-03');
    await drawn(page);
    await page.waitForFunction(() => !document.querySelector('[data-testid="draw-status"]')?.textContent?.includes('Drawing'));
  }

  /** Hover the middle of the heatmap; return what the read-out says, parsed. */
  async function hoverMiddle(page: Page): Promise<{ lat: string; lon: string; value: number }> {
    const box = (await page.locator('[data-testid="heatmap"]').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.52, box.y + box.height * 0.45);
    await page.waitForFunction(() => /lat = /.test(document.querySelector('[data-testid="hover"]')?.textContent ?? ''));
    const text = (await page.textContent('[data-testid="hover"]'))!;
    const m = /lat = (\S+), lon = (\S+): (\S+)/.exec(text)!;
    return { lat: m[1]!, lon: m[2]!, value: Number(m[3]) };
  }

  function xarrayValue(t: number, latLabel: string, lonLabel: string): number {
    const i = lat().findIndex((v) => Math.abs(v - Number(latLabel)) < 1e-3);
    const j = Number(lonLabel) / 10;
    expect(i).toBeGreaterThanOrEqual(0);
    return check('tas', t).values[i * 36 + j]!;
  }

  it('opens a private dataset with keys, moves the time slider, hovers a value and plots a time series', async () => {
    const { page, errors } = await newPage(browser);
    await connectAt(page, appUrl, `#/dataset/${bucket}/data/cf.zarr`);
    await page.waitForSelector('[data-testid="dataset-summary"]');
    expect(await page.textContent('[data-testid="dataset-summary"]')).toContain('time: 6, lat: 18, lon: 36');
    await page.click('[data-testid="var-tas"]');
    await drawn(page);
    await page.waitForFunction(() => document.querySelector('[data-testid="label-time"]')?.textContent === '2000-01-01');

    // Time slider: two steps right, by keyboard.
    await twoStepsToThirdDay(page);

    const h = await hoverMiddle(page);
    expect(Math.abs(h.value - xarrayValue(2, h.lat, h.lon))).toBeLessThan(1e-3);
    expect(await page.textContent('[data-testid="hover"]')).toContain(' K');
    expect(await page.textContent('[data-testid="colorbar"]')).toContain('K');

    // Click the same point: the series along time, one point per time step.
    const box = (await page.locator('[data-testid="heatmap"]').boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.52, box.y + box.height * 0.45);
    await page.waitForSelector('[data-testid="series-chart"]');
    expect(await page.textContent('[data-testid="series-chart"] figcaption')).toContain(`lat = ${h.lat}, lon = ${h.lon}`);
    const points = await page.$$eval('[data-testid="series-chart"] circle', (c) => c.length);
    expect(points).toBeGreaterThanOrEqual(5);
    expect(points).toBeLessThanOrEqual(6);
    // The series crosses the slice we hovered: read time step 3 (index 2) off the chart by keyboard.
    await page.focus('[data-testid="series-chart"] svg');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    const readout = (await page.textContent('[data-testid="series-readout"]'))!;
    expect(readout).toContain('time = 2000-01-03');
    expect(Math.abs(Number(/: (\S+)/.exec(readout)![1]) - h.value)).toBeLessThan(1e-3);

    // Reproduce in xarray names the same selection.
    expect(await page.textContent('[data-testid="python"]')).toContain('ds["tas"].isel(time=2)');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('asks the browser to connect to the store as soon as the connection is asked for, in the pool of the workers’ reads', async () => {
    const { page, errors } = await newPage(browser);
    await connectAt(page, appUrl, `#/dataset/${bucket}/data/cf.zarr`);
    // Anonymous (crossorigin): the workers' fetches carry no credentials, and Chromium keeps those connections apart.
    const links = await page.$$eval('link[rel="preconnect"]', (ls) => ls.map((l) => ({ href: l.getAttribute('href'), crossOrigin: (l as HTMLLinkElement).crossOrigin })));
    expect(links).toEqual([{ href: new URL(loadRgwEnv().endpoint).origin, crossOrigin: 'anonymous' }]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('draws the first chunk before it builds the summary and what sits below the picture', async () => {
    const { page, errors, context } = await newPage(browser);
    // In the order they happen: the heatmap is there, its first chunk is drawn, the summary and the chunk plan appear.
    await context.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      const note = (what: string, here: boolean) => here && !seen.includes(what) && seen.push(what);
      new MutationObserver(() => {
        note('heatmap', !!document.querySelector('[data-testid="heatmap"]'));
        note('first chunk drawn', /Drawing… [1-9]|chunks? drawn/.test(document.querySelector('[data-testid="draw-status"]')?.textContent ?? ''));
        note('summary', !!document.querySelector('[data-testid="dataset-summary"]'));
        note('python', !!document.querySelector('[data-testid="python"]'));
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await connectAt(page, appUrl, `#/dataset/${bucket}/data/cf.zarr`);
    await drawn(page);
    await page.waitForSelector('[data-testid="dataset-summary"]');
    await page.waitForSelector('[data-testid="python"]', { state: 'attached' });
    expect(await page.evaluate(() => (window as unknown as { seen: string[] }).seen)).toEqual(['heatmap', 'first chunk drawn', 'summary', 'python']);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lists the chunks’ stored sizes only once the slice is drawn, and the chunk plan then shows the bytes the store holds', async () => {
    const { page, errors, context } = await newPage(browser);
    // Every request of the page and its workers, in the order the browser saw them begin and end.
    const seen: string[] = [];
    const what = (url: string) => (/[?&]list-type=2/.test(url) ? `list ${decodeURIComponent(/[?&]prefix=([^&]*)/.exec(url)?.[1] ?? '')}` : /\/data\/cf\.zarr\/tas\/\d/.test(url) ? 'chunk' : null);
    context.on('request', (r) => {
      const w = what(r.url());
      if (w) seen.push(`start ${w}`);
    });
    context.on('requestfinished', (r) => {
      const w = what(r.url());
      if (w) seen.push(`end ${w}`);
    });
    await connectAt(page, appUrl, `#/dataset/${bucket}/data/cf.zarr`);
    await page.click('[data-testid="var-tas"]');
    await drawn(page);
    await page.waitForFunction(() => /stored$/.test(document.querySelector('[data-testid="chunk-plan"] summary')?.textContent?.trim() ?? ''), undefined, { timeout: 30_000 });
    const summary = (await page.textContent('[data-testid="chunk-plan"] summary'))!.trim();
    const keys = (await page.textContent('[data-testid="chunk-plan"] .keys'))!.trim().split(/\s+/);
    // The sizes shown are those of the objects the store holds (read whole, not listed).
    const service = rgwService();
    let bytes = 0;
    for (const k of keys) bytes += (await service.getBytes({ bucket, key: `data/cf.zarr/${k}` })).bytes.length;
    expect(summary).toMatch(new RegExp(`reads ${keys.length} chunks? in ${keys.length} objects?: .* decoded, ${formatBytes(bytes).replace('.', '\\.')} stored$`));
    // The variable was listed after the last of the slice's chunks had arrived, never beside them.
    const listed = seen.indexOf('start list data/cf.zarr/tas/');
    expect(listed, seen.join('\n')).toBeGreaterThan(0);
    expect(seen.slice(0, listed).filter((e) => e === 'start chunk').length).toBe(keys.length);
    expect(seen.slice(0, listed).filter((e) => e === 'end chunk').length).toBe(keys.length);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('opens a public dataset by its URL without keys, though the bucket cannot be listed', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(appUrl);
    await page.fill('input[name="openUrl"]', `${loadRgwEnv().endpoint}/${bucket}/data/cf.zarr/`);
    await page.click('[data-testid="open-url"] button[type="submit"]');
    // A `.zarr/` address goes straight to the dataset view, read by its public URL.
    await page.waitForSelector('[data-testid="dataset-summary"]');
    expect(page.url()).toContain(`#/dataset/${bucket}/data/cf.zarr`);
    expect(page.url()).not.toMatch(/cf\.zarr\/$/);
    expect(await page.textContent('[data-testid="dataset-summary"]')).toContain('consolidated metadata');
    await page.click('[data-testid="var-pr"]');
    await drawn(page);
    const text = (await page.textContent('[data-testid="hover"]').catch(() => '')) ?? '';
    expect(text).not.toContain('NaN');
    const h = await hoverMiddle(page);
    const i = lat().findIndex((v) => Math.abs(v - Number(h.lat)) < 1e-3);
    const want = check('pr', 0).values[i * 36 + Number(h.lon) / 10];
    if (want === null) expect(Number.isNaN(h.value)).toBe(true);
    else expect(Math.abs(h.value - want!)).toBeLessThan(1e-4);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('opens a nested group from the store root, shows its values like xarray, and goes back by the breadcrumbs', async () => {
    const { page, errors } = await newPage(browser);
    await connectAt(page, appUrl, `#/dataset/${bucket}/data/nested.zarr`);
    await page.waitForSelector('[data-testid="child-groups"]');
    expect(await page.textContent('[data-testid="dataset-summary"]')).toContain('orog');
    await page.click('[data-testid="group-a"]');
    await page.waitForSelector('[data-testid="group-a/b"]');
    expect(page.url()).toContain(`#/dataset/${bucket}/data/nested.zarr?group=a`);
    expect(await page.textContent('[data-testid="dataset-summary"]')).toContain('tas');
    await page.click('[data-testid="group-a/b"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="group-crumbs"] [aria-current]')?.textContent === 'b');
    expect(page.url()).toMatch(/\?group=a\/b(&|$)/);
    // The deep link survives a reload; the first data variable of a/b is drawn.
    await page.reload();
    await connectAgain(page);
    expect(page.url()).toMatch(/\?group=a\/b(&|$)/);
    await page.waitForSelector('[data-testid="var-uas"]');
    await drawn(page);
    // Range of the slice drawn (step 0) against what xr.open_zarr(store, group="a/b") decodes.
    const want = nested.find((c) => c.store === 'nested.zarr' && c.group === 'a/b' && c.var === 'uas' && c.index[0] === 0)!.values.filter((v): v is number => v !== null);
    const m = /data from (\S+) to (\S+);/.exec((await page.textContent('[data-testid="draw-status"]'))!)!;
    expect(Math.abs(Number(m[1]) - Math.min(...want))).toBeLessThan(1e-3);
    expect(Math.abs(Number(m[2]) - Math.max(...want))).toBeLessThan(1e-3);
    expect(await page.textContent('[data-testid="python"]')).toContain('group="a/b"');
    // Breadcrumbs lead back to the parent group and the store root.
    await page.click('[data-testid="group-crumbs"] a:text("a")');
    await page.waitForSelector('[data-testid="var-tas"]');
    await page.click('[data-testid="group-crumbs"] a:text("store root")');
    await page.waitForSelector('[data-testid="var-orog"]');
    expect(page.url()).not.toContain('group=');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('reads a sharded v3 array with keys without suffix ranges (no CORS preflight per shard)', async () => {
    const { page, errors } = await newPage(browser);
    const ranges: string[] = [];
    page.context().on('request', (r) => {
      const range = r.headers().range;
      if (range) ranges.push(range);
    });
    await connectAt(page, appUrl, `#/dataset/${bucket}/data/v3.zarr`);
    await page.click('[data-testid="var-sharded"]');
    await drawn(page);
    // Values of time 0 are t*1000 + y*10 + x - 40.5 (see writeV3Store).
    const want = Array.from({ length: V3_SHAPE[1] * V3_SHAPE[2] }, (_, i) => v3Value(0, Math.floor(i / V3_SHAPE[2]), i % V3_SHAPE[2]));
    const m = /data from (\S+) to (\S+);/.exec((await page.textContent('[data-testid="draw-status"]'))!)!;
    expect([Number(m[1]), Number(m[2])]).toEqual([Math.min(...want), Math.max(...want)]);
    // The shard index and its chunks were read by offset ranges only.
    expect(ranges.length).toBeGreaterThan(0);
    expect(ranges.filter((r) => !/^bytes=\d+-\d+$/.test(r))).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('paints a big slice at screen resolution and the full resolution once zoomed in', async () => {
    const { page, errors } = await newPage(browser);
    await connectAt(page, appUrl, `#/dataset/${bucket}/data/stripes.zarr`);
    await drawn(page);
    /** Distinct opaque colours along the canvas's middle row. */
    const colours = () =>
      page.$eval('[data-testid="heatmap"]', (c) => {
        const canvas = c as HTMLCanvasElement;
        const row = canvas.getContext('2d')!.getImageData(0, Math.floor(canvas.height / 2), canvas.width, 1).data;
        const seen = new Set<string>();
        for (let i = 0; i < row.length; i += 4) if (row[i + 3] === 255) seen.add(`${row[i]},${row[i + 1]},${row[i + 2]}`);
        return seen.size;
      });
    // 1440 x 960 values in a 720 x 480 canvas: every second column is shown, all of them x even (value 0).
    expect(await colours()).toBe(1);
    // Hover still reads the value under the pointer from the full-resolution data.
    const box = (await page.locator('[data-testid="heatmap"]').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForFunction(() => /x = \d+: \d/.test(document.querySelector('[data-testid="hover"]')?.textContent ?? ''));
    const hover = /x = (\d+): (\S+)/.exec((await page.textContent('[data-testid="hover"]'))!)!;
    expect(Number(hover[2])).toBe(Number(hover[1]) % 2);
    // Zoom in past one value per pixel (0.5 x 1.25^4 > 1): the page asks for the full resolution and the stripes appear.
    await page.focus('[data-testid="heatmap"]');
    for (let i = 0; i < 4; i++) await page.keyboard.press('+');
    await expect.poll(colours, { timeout: 10_000, interval: 100 }).toBe(2);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a blosc decoder that cannot be fetched says so on every chunk, and the next draw fetches it again and shows the values', async () => {
    const { page, context } = await newPage(browser);
    // The WebAssembly file is gone (a redeploy under the open page) or the network dropped: every fetch of it fails.
    let refused = 0;
    await context.route(/\/blosc-[\w-]+\.wasm$/, (route) => {
      refused++;
      return route.fulfill({ status: 404, body: 'not found' });
    });
    await connectAt(page, appUrl, `#/dataset/${bucket}/data/cf.zarr`);
    await page.click('[data-testid="var-tas"]');
    await drawn(page);
    const failures = (await page.textContent('[data-testid="chunk-failures"]'))!;
    expect(failures).toMatch(/chunks? could not be read/);
    expect(failures).toContain('The blosc decoder (WebAssembly) could not be loaded');
    expect(failures).not.toMatch(/truncated|corrupt/);
    // The time coordinate (blosc too) could not be read either: its positions are indices, never "NaT".
    expect(await page.textContent('[data-testid="label-time"]')).not.toContain('NaT');
    expect(refused).toBeGreaterThan(0);
    // Back: the next draw fetches the module again, and every value is xarray's.
    await context.unroute(/\/blosc-[\w-]+\.wasm$/);
    // The coordinates failed with the chunks (blosc too): positions were indices, not "NaT", and are labelled again.
    await twoStepsToThirdDay(page);
    expect(await page.$('[data-testid="chunk-failures"]')).toBeNull();
    const h = await hoverMiddle(page);
    expect(Math.abs(h.value - xarrayValue(2, h.lat, h.lon))).toBeLessThan(1e-3);
    await context.close();
  });

  it('decodes blosc chunks when the host serves the decoder\'s .wasm with another type (compiled from its bytes instead)', async () => {
    const { page, context } = await newPage(browser);
    let served = 0;
    await context.route(/\/blosc-[\w-]+\.wasm$/, async (route) => {
      served++;
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-type': 'application/octet-stream' } });
    });
    await connectAt(page, appUrl, `#/dataset/${bucket}/data/cf.zarr`);
    await page.click('[data-testid="var-tas"]');
    await drawn(page);
    await page.waitForFunction(() => document.querySelector('[data-testid="label-time"]')?.textContent === '2000-01-01');
    expect(await page.$('[data-testid="chunk-failures"]')).toBeNull();
    // Fetched once, compiled from its bytes (streaming compilation refuses the type).
    expect(served).toBe(1);
    const h = await hoverMiddle(page);
    expect(Math.abs(h.value - xarrayValue(0, h.lat, h.lon))).toBeLessThan(1e-3);
    await context.close();
  });

  it('reports a truncated chunk and malformed metadata without losing the rest', async () => {
    const { page, errors } = await newPage(browser);
    await connectAt(page, appUrl, `#/dataset/${bucket}/data/broken.zarr`);
    await page.waitForSelector('[data-testid="dataset-summary"]');
    expect(await page.textContent('[data-testid="dataset-summary"]')).toContain('orog/.zarray is not valid JSON');
    await page.click('[data-testid="var-tas"]');
    await drawn(page);
    expect(await page.textContent('[data-testid="chunk-failures"]')).toMatch(/1 chunk could not be read.*0\.1\.1/);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
