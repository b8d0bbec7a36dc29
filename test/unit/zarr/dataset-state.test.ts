/**
 * The dataset view's state against a Zarr "worker" that is the worker's own
 * `SliceSession` called in-process (the seam is the comlink remote), so the
 * opening, drawing, hover, series and CSV paths run for real, and any call
 * can be made to fail the way a worker call does: by rejecting.
 */
import { describe, expect, it } from 'vitest';
import { SliceSession, type Tile } from '../../../src/lib/zarr/slice-session';
import { DatasetState, type TileSink } from '../../../src/state/dataset.svelte';
import { csvFileName } from '../../../src/state/dataset/slice.svelte';
import type { ZarrWorker, ZarrWorkerRemote } from '../../../src/rpc/zarr';
import type { ZarrWorkerApi } from '../../../workers/zarr.worker';
import { le, MemorySource, v2Array } from './memory-source';

/** tas(time 3, lat 2, lon 3) float32, one chunk per time step, values t*100 + y*10 + x; CF time. */
function store(): MemorySource {
  const src = new MemorySource().json('.zgroup', { zarr_format: 2 }).json('.zattrs', {});
  v2Array(src, 'time', { shape: [3], chunks: [3], dtype: '<f8', dims: ['time'], attrs: { units: 'days since 2001-06-01', calendar: 'standard' } });
  src.files.set('time/0', le(new Float64Array([0, 1, 2])));
  v2Array(src, 'lat', { shape: [2], chunks: [2], dtype: '<f4', dims: ['lat'] });
  src.files.set('lat/0', le(new Float32Array([-10, 10])));
  v2Array(src, 'lon', { shape: [3], chunks: [3], dtype: '<f4', dims: ['lon'] });
  src.files.set('lon/0', le(new Float32Array([0, 10, 20])));
  v2Array(src, 'tas', { shape: [3, 2, 3], chunks: [1, 2, 3], dtype: '<f4', dims: ['time', 'lat', 'lon'], attrs: { units: 'K' } });
  for (let t = 0; t < 3; t++) src.files.set(`tas/${t}.0.0`, le(new Float32Array(6).map((_, i) => t * 100 + Math.floor(i / 3) * 10 + (i % 3))));
  return src;
}

type Call = keyof ZarrWorkerApi;

/**
 * A worker over a `SliceSession`: `fail` makes a call reject, `hold` keeps a
 * call's answer back until released; `settle` waits until nothing but held
 * calls is in flight.
 */
function testWorker() {
  const session = new SliceSession();
  const source = store();
  const fail = new Map<Call, Error>();
  const inFlight = new Set<Promise<unknown>>();
  const held = new Map<Call, Promise<void>>();
  const heldCalls = new Set<Promise<unknown>>();
  const released: boolean[] = [];
  const cancelled: number[] = [];
  const api: Record<Call, (...args: never[]) => unknown> = {
    open: (_source: unknown, _port: unknown, names: string[], group: string) => session.open(source, names, group),
    coords: () => session.coords(),
    checkConsolidated: () => session.checkConsolidated(),
    plan: (...a: Parameters<SliceSession['plan']>) => session.plan(...a),
    cancel: (id: number) => {
      cancelled.push(id);
      session.cancel(id);
    },
    drawSlice: (req: Parameters<SliceSession['drawSlice']>[0], onTile: (t: Tile) => void) => session.drawSlice(req, onTile),
    recolor: (...a: Parameters<SliceSession['recolor']>) => session.recolor(...a),
    autoRange: (...a: Parameters<SliceSession['autoRange']>) => session.autoRange(...a),
    valueAt: (...a: Parameters<SliceSession['valueAt']>) => session.valueAt(...a),
    series: (...a: Parameters<SliceSession['series']>) => session.series(...a),
    csv: (...a: Parameters<SliceSession['csv']>) => session.csv(...a),
    project: (...a: Parameters<SliceSession['project']>) => session.project(...a),
    coordsAt: (...a: Parameters<SliceSession['coordsAt']>) => session.coordsAt(...a),
    referencesJson: () => Promise.reject(new Error('This dataset is not read through references.')),
    scanFiles: () => Promise.reject(new Error('No files to scan here.')),
    cancelScan: () => undefined,
  };
  const remote = new Proxy(api, {
    get(target, name: Call) {
      return (...args: never[]) => {
        // Like comlink: every call answers later, in a promise.
        const error = fail.get(name);
        const hold = held.get(name);
        const p = error ? Promise.reject(error) : (hold ?? Promise.resolve()).then(() => target[name](...args));
        const calls = hold ? heldCalls : inFlight;
        calls.add(p);
        p.then(
          () => calls.delete(p),
          () => calls.delete(p),
        );
        return p;
      };
    },
  }) as unknown as ZarrWorkerRemote;
  const take = (): ZarrWorker => ({ remote, release: (reusable) => void released.push(reusable) });
  async function settle(): Promise<void> {
    for (;;) {
      await Promise.allSettled([...inFlight]);
      // What the page does with the answers runs next, and may ask again.
      await new Promise((r) => setImmediate(r));
      if (!inFlight.size) return;
    }
  }
  function hold(name: Call): () => void {
    let open = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    held.set(name, gate);
    return () => {
      held.delete(name);
      open();
    };
  }
  return { take, fail, hold, settle, released, cancelled };
}

class Sink implements TileSink {
  begun: [number, number][] = [];
  tiles = 0;
  fulls: { width: number; height: number; step: number }[] = [];
  cleared = 0;
  onStep?: (step: number) => void;
  begin(width: number, height: number): number {
    this.begun.push([width, height]);
    return 1;
  }
  tile(_t: Tile): void {
    this.tiles++;
  }
  full(_rgba: Uint8ClampedArray, width: number, height: number, step: number): void {
    this.fulls.push({ width, height, step });
  }
  clear(): void {
    this.cleared++;
  }
}

async function opened(view = {}) {
  const w = testWorker();
  const ds = new DatasetState({ kind: 'url', url: 'memory://test.zarr' }, '', w.take);
  const sink = new Sink();
  ds.slice.attach(sink);
  await ds.open({ s3: null, view });
  await w.settle();
  return { ds, sink, ...w };
}

describe('the dataset view', () => {
  it('opens at the view its address names, draws that slice and writes the same view back', async () => {
    const view = { var: 'tas', index: { time: 2 }, cmap: 'greys', range: { min: 0, max: 300 } };
    const { ds, sink } = await opened(view);
    expect(ds.status).toBe('ready');
    expect(ds.slice.variable?.name).toBe('tas');
    expect(ds.slice.index).toEqual([2, 0, 0]);
    expect(ds.slice.cmap).toBe('greys');
    expect(ds.slice.drawing).toBe(false);
    expect(ds.slice.error).toBeNull();
    expect(ds.slice.stats).toEqual({ min: 200, max: 212, finite: 6 });
    expect(ds.slice.plan?.chunks).toBe(1);
    expect(sink.begun).toEqual([[3, 2]]);
    expect(sink.fulls).toEqual([{ width: 3, height: 2, step: 1 }]);
    expect(ds.view).toEqual(view);
    expect(ds.timings.full).toBeGreaterThanOrEqual(0);
    expect(ds.playback.dim).toBe(0);

    await ds.probe.hoverAt(1, 2);
    expect(ds.probe.hover).toEqual({ y: 1, x: 2, value: 212, where: ['lat = 10', 'lon = 20'] });
    const csv = await ds.slice.csv('test-tas');
    expect(csv?.name).toBe('test-tas-2001-06-03.csv');
    expect(csv?.text.trimEnd().split('\n').at(-1)).toBe('10,20,2001-06-03,212');

    // A slider moved: the address follows; hover names the slice still on screen until the new one is drawn.
    expect(ds.slice.setIndex(0, 0)).toBe(true);
    expect(ds.view).toEqual({ var: 'tas', cmap: 'greys', range: { min: 0, max: 300 } });
    await ds.probe.hoverAt(0, 0);
    expect(ds.probe.hover?.where).toContain('time = 2001-06-03 (still showing)');
  });

  it('names positions by coordinate in hover, series and CSV, even when the coordinates arrive after the picture', async () => {
    const w = testWorker();
    const release = w.hold('coords');
    const ds = new DatasetState({ kind: 'url', url: 'memory://test.zarr' }, '', w.take);
    ds.slice.attach(new Sink());
    await ds.open({ s3: null, view: { var: 'tas', index: { time: 1 } } });
    await w.settle();
    expect(ds.slice.stats).toEqual({ min: 100, max: 112, finite: 6 });
    expect(ds.slice.label(0, 1)).toBe('1');
    const hover = ds.probe.hoverAt(1, 2);
    const series = ds.probe.seriesAt(1, 2);
    const csv = ds.slice.csv('test-tas');
    await w.settle();
    expect(ds.probe.hover).toBeNull();
    expect(ds.probe.series).toBeNull();
    release();
    await Promise.all([hover, series]);
    expect(ds.probe.hover?.where).toEqual(['lat = 10', 'lon = 20']);
    expect(ds.probe.series?.title).toBe('tas at lat = 10, lon = 20');
    expect(ds.probe.series?.labels).toEqual(['2001-06-01', '2001-06-02', '2001-06-03']);
    expect((await csv)?.name).toBe('test-tas-2001-06-02.csv');
    expect(ds.slice.label(0, 1)).toBe('2001-06-02');
  });

  it('leaves the view usable and says so when the chunk plan, the coordinates or the staleness check fail', async () => {
    const w = testWorker();
    for (const call of ['plan', 'coords', 'checkConsolidated'] as const) w.fail.set(call, new Error(`no ${call}`));
    const ds = new DatasetState({ kind: 'url', url: 'memory://test.zarr' }, '', w.take);
    ds.slice.attach(new Sink());
    await ds.open({ s3: null });
    await w.settle();
    expect(ds.status).toBe('ready');
    expect(ds.slice.drawing).toBe(false);
    expect(ds.slice.stats).toEqual({ min: 0, max: 12, finite: 6 });
    expect(ds.slice.plan).toBeNull();
    expect(ds.slice.error).toContain('no plan');
    expect(ds.notices.join('\n')).toMatch(/coordinates could not be read.*no coords/);
    expect(ds.notices.join('\n')).toMatch(/consolidated metadata.*no checkConsolidated/);
    // Positions are named by index without coordinates.
    expect(ds.slice.label(0, 1)).toBe('1');
  });

  it('clears the picture when the worker fails a draw: hover and CSV answer for no slice, and Play stops', async () => {
    const { ds, sink, fail, settle } = await opened({ var: 'tas' });
    ds.playback.toggle();
    fail.set('drawSlice', new Error('worker gone'));
    ds.slice.setIndex(0, 1);
    expect(ds.slice.drawing).toBe(true);
    await settle();
    expect(ds.slice.drawing).toBe(false);
    expect(ds.slice.error).toBe('The Zarr worker failed while drawing: worker gone');
    expect(sink.cleared).toBe(1);
    expect(ds.slice.drawn).toBeNull();
    expect(ds.slice.stats).toBeNull();
    expect(ds.playback.playing).toBe(false);
    await ds.probe.hoverAt(0, 0);
    expect(ds.probe.hover).toBeNull();
    expect(await ds.slice.csv('test-tas')).toBeNull();
  });

  it('reports failed recolouring, value, series and CSV reads where the slice shows its errors', async () => {
    const { ds, fail, settle } = await opened({ var: 'tas' });
    for (const call of ['autoRange', 'recolor', 'valueAt', 'series', 'csv'] as const) fail.set(call, new Error(`no ${call}`));
    ds.slice.setRobust(false);
    await settle();
    expect(ds.slice.error).toMatch(/could not be coloured again: no autoRange/);
    ds.slice.setManualRange({ min: 0, max: 10 });
    await settle();
    expect(ds.slice.error).toMatch(/could not be coloured again: no recolor/);
    await ds.probe.hoverAt(0, 0);
    expect(ds.probe.hover).toBeNull();
    expect(ds.slice.error).toMatch(/value under the pointer.*no valueAt/);
    await ds.probe.seriesAt(0, 0);
    expect(ds.probe.series).toBeNull();
    expect(ds.slice.error).toMatch(/series: no series/);
    expect(await ds.slice.csv('test-tas')).toBeNull();
    expect(ds.slice.error).toMatch(/CSV could not be made: no csv/);
    expect(ds.slice.drawing).toBe(false);
  });

  it('plots the series through a point along the chosen dimension, and drops it for another variable', async () => {
    const { ds, settle } = await opened({ var: 'tas' });
    await ds.probe.seriesAt(1, 1);
    expect(ds.probe.series).toMatchObject({ title: 'tas at lat = 10, lon = 10', dim: 'time', units: 'K', values: [11, 111, 211], labels: ['2001-06-01', '2001-06-02', '2001-06-03'] });
    // A 1-D variable is its own series.
    ds.selectVariable('lat');
    await settle();
    expect(ds.probe.series).toMatchObject({ dim: 'lat', values: [-10, 10] });
    ds.selectVariable('tas');
    expect(ds.probe.series).toBeNull();
    expect(ds.probe.seriesDim).toBe(0);
  });

  it('hands its worker back to the page when closed, unless an open is still in flight', async () => {
    const { ds, released, cancelled, settle } = await opened({ var: 'tas' });
    ds.close();
    await settle();
    expect(released).toEqual([true]);
    expect(cancelled).toEqual([ds.slice.drawId]);

    const w = testWorker();
    const early = new DatasetState({ kind: 'url', url: 'memory://test.zarr' }, '', w.take);
    const open = early.open({ s3: null });
    early.close();
    await open;
    await w.settle();
    expect(w.released).toEqual([false]);
    // The late answer changes nothing on the closed view.
    expect(early.status).toBe('opening');
    expect(early.slice.variable).toBeNull();
  });

  it('names CSV files after the store, group, variable and the fixed coordinates, in safe characters', () => {
    expect(csvFileName('cf-tas', ['2001-06-01'])).toBe('cf-tas-2001-06-01.csv');
    expect(csvFileName('chunkings-level', ['2001-06-05', '85000'])).toBe('chunkings-level-2001-06-05-85000.csv');
    expect(csvFileName('a b/c', ['2001-06-01 12:00:00', '.'])).toBe('a_b_c-2001-06-01_12_00_00.csv');
  });
});
