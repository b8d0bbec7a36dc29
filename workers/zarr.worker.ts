/**
 * The Zarr worker: opens datasets, fetches chunks, decodes and colour-maps
 * them off the main thread. It holds no credentials: for a private bucket the
 * page hands it a MessagePort served by the S3 worker's read-only `reader`,
 * which presigns chunk URLs; the chunks are then fetched from here.
 */
import * as Comlink from 'comlink';
import { installErrorTransfer } from '../src/rpc/errors';
import { S3Source, type S3Access } from '../src/lib/zarr/s3-source';
import { UrlSource } from '../src/lib/zarr/url-source';
import { SliceSession, type OpenResult, type Failure, type SliceRequest, type Tile } from '../src/lib/zarr/slice-session';
import type { ListObjectsPage } from '../src/lib/s3/ops/list-objects';
import type { S3ReaderApi } from './s3.worker';
import { mark } from '../src/lib/zarr/trace';
import { warmDecoders } from '../src/lib/zarr/warm';
import { NETCDF_WORKER_SUFFIX } from '../src/rpc/zarr-hint';
import type { DatasetSource } from '../src/lib/zarr/address';
import { openReferenceFile } from '../src/lib/refs/open';
import { ReferenceSource } from '../src/lib/refs/source';
import { referencesBody } from '../src/lib/refs/write';
import type { KeySource } from '../src/lib/zarr/source';
import { registerFletcher32 } from '../src/lib/hdf5/fletcher32';
import { registerScanner, scanToReferences } from '../src/lib/refs/scan';
import { folderContext, openCombined, scanFiles, type FolderLocation, type ScanFn } from '../src/lib/refs/open-combined';
import { dimensionsOf, type FileDimensions } from '../src/lib/refs/combine';
import type { ResolverOptions } from '../src/lib/refs/resolve';

// Chunks of NetCDF-4/HDF5 files opened through references may carry HDF5's Fletcher-32 checksum.
registerFletcher32();
// NetCDF-4/HDF5 and NetCDF-3 objects open as references made on the fly by reading their metadata by ranges.
// The reader loads with the first such file, not with every worker start.
let scannerModule: Promise<typeof import('../src/lib/hdf5/scanner')> | undefined;
const loadScanner = () => (scannerModule ??= import('../src/lib/hdf5/scanner'));
registerScanner(async (source, name, signal, options) => (await loadScanner()).scanNetcdf(source, name, signal, options));

installErrorTransfer();
mark('worker:start');

// Compile blosc (xarray's default codec) and run the decode and colouring
// paths once while nothing is open yet: see warm.ts. A worker started for a
// NetCDF file (its name says so: see rpc/zarr.ts) warms netCDF-4's inflate and
// unshuffle instead, and loads the file scanner.
let opening = false;
const forNetcdf = (globalThis as { name?: string }).name?.endsWith(NETCDF_WORKER_SUFFIX) === true;
if (forNetcdf) void loadScanner().catch(() => undefined);
void warmDecoders(() => opening, forNetcdf ? 'zlib' : 'blosc').catch(() => undefined);

function accessOver(port: MessagePort): S3Access & { endpointUrl(): Promise<string> } {
  const reader = Comlink.wrap<S3ReaderApi>(port);
  return {
    endpointUrl: () => reader.endpointUrl(),
    presignMany: (bucket, keys, expires) => reader.presignMany(bucket, keys, expires),
    anonymous: () => reader.anonymous(),
    async listPage(input) {
      let page: ListObjectsPage | undefined;
      await reader.list(input, Comlink.proxy((p: ListObjectsPage) => void (page = p)), undefined, 1);
      if (!page) throw new Error('The listing returned no page.');
      return page;
    },
  };
}

const session = new SliceSession();
/** The source of the dataset open now (for writing its references). */
let current: KeySource | null = null;

/**
 * The key source of a dataset described by references. Referenced objects in
 * buckets of the connected store are read like the reference file: signed
 * through the S3 worker's reader (one source per bucket, so presigning is
 * batched per bucket), or by their public path-style URL.
 */
async function resolverOptions(source: DatasetSource, port: MessagePort | null): Promise<ResolverOptions> {
  if (source.kind === 's3') {
    const buckets = new Map<string, Promise<KeySource>>();
    const access = accessOver(port!);
    const bucket = (name: string) => {
      if (!buckets.has(name)) buckets.set(name, S3Source.create(access, name, ''));
      return buckets.get(name)!;
    };
    // https:// references to the connected endpoint name its buckets: they are signed like s3:// ones.
    return { bucket, endpoint: await access.endpointUrl() };
  }
  const origin = new URL(source.url).origin;
  return { bucket: (name: string) => Promise.resolve<KeySource>(new UrlSource(`${origin}/${encodeURIComponent(name)}`)), endpoint: origin };
}

/**
 * Files scanned for "Open as one dataset", remembered so the dataset view
 * that follows (handed this worker) does not scan them again.
 */
const scanned = new Map<string, ReturnType<ScanFn>>();
const rememberingScan: ScanFn = (folder, name, signal) => {
  const key = `${folder.label}\u0000${name}`;
  let p = scanned.get(key);
  if (!p) {
    if (scanned.size >= 1000) scanned.delete(scanned.keys().next().value!);
    p = scanToReferences(folder, name, signal);
    scanned.set(key, p);
    p.catch(() => scanned.delete(key));
  }
  return p;
};

const folderOf = (source: DatasetSource): FolderLocation => (source.kind === 's3' ? { kind: 's3', bucket: source.bucket, folder: source.path } : { kind: 'url', url: source.url });

async function referenceSource(source: DatasetSource, port: MessagePort | null): Promise<KeySource> {
  const options = await resolverOptions(source, port);
  if (source.refs === 'combine') {
    if (!source.combine) throw new Error('Which files to combine, and along which dimension, is missing.');
    return openCombined({ ...options, location: folderOf(source), files: source.combine.files, dim: source.combine.dim, scan: rememberingScan });
  }
  const location = source.kind === 's3' ? { kind: 's3' as const, bucket: source.bucket, key: source.path } : { kind: 'url' as const, url: source.url };
  return openReferenceFile({ ...options, location, format: source.refs });
}

let scanning: AbortController | null = null;

const api = {
  async open(source: DatasetSource, port: MessagePort | null, extraNames: string[] = [], group = ''): Promise<OpenResult | Failure> {
    mark('open:start');
    opening = true;
    // The scanner loads while the signing worker is asked for the endpoint and the bucket's access.
    if (source.refs === 'scan' || source.refs === 'combine') void loadScanner().catch(() => undefined);
    try {
      const src = source.refs ? await referenceSource(source, port) : source.kind === 's3' ? await S3Source.create(accessOver(port!), source.bucket, source.path, { early: true }) : new UrlSource(source.url);
      current = src;
      mark('open:source');
      const opened = await session.open(src, extraNames, group);
      // Variables the file scanner could not describe are named with the dataset.
      if (src instanceof ReferenceSource && 'info' in opened) opened.info.problems.push(...src.problems.filter((p) => p.path.startsWith(group.replace(/^\/+/, ''))));
      // Files combined along a dimension: the view names them in the order their coordinates put them.
      if ('combined' in src && 'info' in opened) {
        const { dim, files, lengths } = (src as Awaited<ReturnType<typeof openCombined>>).combined;
        opened.info.combined = { dim, files, lengths };
      }
      return opened;
    } catch (e) {
      return { error: { kind: 'not-found', message: (e as Error).message } };
    }
  },
  /**
   * Scan the files of `source.combine` (a folder), a few at once, for
   * "Open as one dataset": each file's dimensions, or why it cannot be read.
   */
  async scanFiles(source: DatasetSource, port: MessagePort | null, onProgress: (done: number, total: number) => void): Promise<{ files: { name: string; dims: FileDimensions }[] } | Failure> {
    scanning?.abort();
    const controller = (scanning = new AbortController());
    try {
      const { folder } = await folderContext(folderOf(source), await resolverOptions(source, port));
      const files = source.combine?.files ?? [];
      const refs = await scanFiles(folder, files, { scan: rememberingScan, signal: controller.signal, onProgress: (d, t) => void onProgress(d, t) });
      return { files: refs.map((r, i) => ({ name: files[i]!, dims: dimensionsOf(r) })) };
    } catch (e) {
      return { error: { kind: 'not-found', message: controller.signal.aborted ? 'Cancelled.' : (e as Error).message } };
    } finally {
      if (scanning === controller) scanning = null;
    }
  },
  cancelScan: () => scanning?.abort(),
  checkConsolidated: () => session.checkConsolidated(),
  /**
   * The kerchunk JSON of the open dataset's references, to be stored at `key`
   * in `bucket` (relative URLs made absolute from there). The page writes it
   * through the S3 worker; this worker holds no keys.
   */
  async referencesJson(bucket: string, key: string): Promise<Uint8Array> {
    if (!(current instanceof ReferenceSource)) throw new Error('This dataset is not read through references.');
    const body = referencesBody(await current.references(), bucket, key);
    return Comlink.transfer(body, [body.buffer]);
  },
  coords: () => session.coords(),
  plan: session.plan.bind(session),
  cancel: session.cancel.bind(session),
  async drawSlice(req: SliceRequest, onTile: (tile: Tile) => void) {
    const r = await session.drawSlice(req, (t) => void onTile(Comlink.transfer(t, [t.rgba.buffer])));
    return 'rgba' in r ? Comlink.transfer(r, [r.rgba.buffer]) : r;
  },
  recolor(...args: Parameters<SliceSession['recolor']>) {
    const r = session.recolor(...args);
    return r ? Comlink.transfer(r, [r.buffer]) : null;
  },
  project(...args: Parameters<SliceSession['project']>) {
    const r = session.project(...args);
    return r ? Comlink.transfer(r, [r.buffer]) : null;
  },
  coordsAt: session.coordsAt.bind(session),
  autoRange: session.autoRange.bind(session),
  valueAt: session.valueAt.bind(session),
  series: session.series.bind(session),
  csv: session.csv.bind(session),
};

export type ZarrWorkerApi = typeof api;

Comlink.expose(api);
