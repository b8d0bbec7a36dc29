/**
 * Which stored objects a selection touches and how big they are, before
 * anything is read. A 2-D slice fixes every dimension but two; a series fixes
 * every dimension but one. Sizes: decoded bytes are exact; compressed bytes
 * are known when the store was listed (`objectSizes`).
 */
import { bytesPerElement, chunkGrid, chunkKey, type ArrayMeta } from './metadata';

export interface Selection {
  /** One index per dimension; entries for free dimensions are ignored. */
  index: number[];
  /** Free dimensions: [y, x] for a slice, [d] for a series. */
  free: number[];
}

export interface PlannedChunk {
  /** Chunk coordinates (inner chunks when sharded). */
  coords: number[];
  /** Object key relative to the array (the shard's when sharded). */
  objectKey: string;
  /** Where this chunk lands in the output, per free dimension: [start, length]. */
  out: [number, number][];
}

export interface ChunkPlan {
  chunks: PlannedChunk[];
  /** Distinct stored objects touched. */
  objects: string[];
  /** Decoded bytes of all touched chunks (what must be held in memory while decoding). */
  decodedBytes: number;
  /** Compressed bytes of the touched objects, when known. */
  storedBytes?: number;
  /** Largest single decoded chunk. */
  largestChunkBytes: number;
  /** Output shape, one entry per free dimension. */
  outShape: number[];
}

export function validateSelection(meta: ArrayMeta, sel: Selection): string | null {
  if (sel.index.length !== meta.shape.length) return `The selection has ${sel.index.length} indices for ${meta.shape.length} dimensions.`;
  if (new Set(sel.free).size !== sel.free.length) return 'The same dimension is chosen twice.';
  for (const f of sel.free) if (f < 0 || f >= meta.shape.length) return `Dimension ${f} does not exist.`;
  for (let i = 0; i < meta.shape.length; i++) {
    if (sel.free.includes(i)) continue;
    const v = sel.index[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= meta.shape[i]!) return `Index ${v} is outside dimension ${i} (size ${meta.shape[i]}).`;
  }
  return null;
}

/** Plan the chunks of a selection. `objectSizes` maps object keys (relative to the array) to stored bytes. */
export function planSelection(meta: ArrayMeta, sel: Selection, objectSizes?: Map<string, number>): ChunkPlan {
  const grid = chunkGrid(meta.shape, meta.chunkShape);
  const ranges: number[][] = meta.shape.map((_, d) => {
    if (sel.free.includes(d)) return Array.from({ length: grid[d]! }, (_, i) => i);
    return [Math.floor(sel.index[d]! / meta.chunkShape[d]!)];
  });
  const chunks: PlannedChunk[] = [];
  const perChunk = meta.chunkShape.reduce((a, b) => a * b, 1) * bytesPerElement(meta.dtype);
  const coords = new Array<number>(meta.shape.length).fill(0);
  const walk = (d: number) => {
    if (d === meta.shape.length) {
      const objCoords = coords.map((c, i) => Math.floor((c * meta.chunkShape[i]!) / meta.objectShape[i]!));
      const objectKey = chunkKey(meta, objCoords);
      const out = sel.free.map((f): [number, number] => {
        const start = coords[f]! * meta.chunkShape[f]!;
        return [start, Math.min(meta.chunkShape[f]!, meta.shape[f]! - start)];
      });
      chunks.push({ coords: [...coords], objectKey, out });
      return;
    }
    for (const c of ranges[d]!) {
      coords[d] = c;
      walk(d + 1);
    }
  };
  if (meta.shape.every((s) => s > 0)) walk(0);
  centreFirst(chunks, sel.free.map((f) => meta.shape[f]!));
  const plan: ChunkPlan = {
    chunks,
    objects: [...new Set(chunks.map((c) => c.objectKey))],
    decodedBytes: chunks.length * perChunk,
    largestChunkBytes: chunks.length ? perChunk : 0,
    outShape: sel.free.map((f) => meta.shape[f]!),
  };
  if (objectSizes && plan.objects.every((k) => objectSizes.has(k))) plan.storedBytes = plan.objects.reduce((a, k) => a + objectSizes.get(k)!, 0);
  return plan;
}

/**
 * Order chunks by the distance of their centre from the centre of the output,
 * so the middle of the picture (where the eye goes) is fetched, decoded and
 * drawn first. Stable: equally distant chunks keep row-major order.
 */
function centreFirst(chunks: PlannedChunk[], outShape: number[]): void {
  const dist = (c: PlannedChunk) => c.out.reduce((a, [start, n], i) => a + ((start + n / 2 - outShape[i]! / 2) / Math.max(1, outShape[i]!)) ** 2, 0);
  const keyed = chunks.map((c, i) => ({ c, i, d: dist(c) }));
  keyed.sort((a, b) => a.d - b.d || a.i - b.i);
  keyed.forEach((k, i) => (chunks[i] = k.c));
}

/** Default read budget: warn before reading more than this many decoded bytes. */
export const DEFAULT_BUDGET_BYTES = 256 * 1024 * 1024;

/** A warning when a plan exceeds the budget, else null. */
export function budgetWarning(plan: ChunkPlan, budgetBytes = DEFAULT_BUDGET_BYTES): string | null {
  const mib = (n: number) => `${(n / 1048576).toFixed(n < 10 * 1048576 ? 1 : 0)} MiB`;
  if (plan.decodedBytes <= budgetBytes) return null;
  const stored = plan.storedBytes !== undefined ? ` (${mib(plan.storedBytes)} stored)` : '';
  return `This selection reads ${plan.chunks.length} chunk${plan.chunks.length === 1 ? '' : 's'}: ${mib(plan.decodedBytes)} once decoded${stored}, over the ${mib(budgetBytes)} budget. Each chunk is ${mib(plan.largestChunkBytes)}.`;
}
