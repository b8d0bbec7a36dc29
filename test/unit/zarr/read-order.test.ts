/**
 * How a slice is read: the middle of the picture first, and shard indexes by
 * an offset range (CORS-safelisted, no preflight) whenever a listing gave the
 * shard sizes, by a suffix range only when it could not.
 */
import { describe, expect, it } from 'vitest';
import { planSelection } from '../../../src/lib/zarr/plan';
import { parseV2Array } from '../../../src/lib/zarr/metadata';
import { ZarrDataset } from '../../../src/lib/zarr/open';
import { V3_SHAPE, v3Value, writeV3Store } from '../../integration/zarr/fixtures';
import { MemorySource } from './memory-source';

describe('slice reading order and ranges', () => {
  it('plans the chunks nearest the centre of the picture first', () => {
    const meta = parseV2Array({ zarr_format: 2, shape: [2, 8, 8], chunks: [1, 2, 2], dtype: '<f4', compressor: null, fill_value: null, filters: null, order: 'C' }, 'v/.zarray', {});
    const plan = planSelection(meta, { index: [1, 0, 0], free: [1, 2] });
    expect(plan.chunks).toHaveLength(16);
    // The four chunks around the centre of the 8 x 8 picture, then the rest.
    expect(plan.chunks.slice(0, 4).map((c) => c.coords.join())).toEqual(['1,1,1', '1,1,2', '1,2,1', '1,2,2']);
    expect(plan.chunks.slice(-4).map((c) => c.coords.join()).sort()).toEqual(['1,0,0', '1,0,3', '1,3,0', '1,3,3']);
    expect(plan.objects[0]).toBe('1.1.1');
    expect(new Set(plan.objects).size).toBe(16);
  });

  async function shardedStore(listable: boolean): Promise<MemorySource> {
    const src = new MemorySource({ listable });
    await writeV3Store(async (key, body) => void src.files.set(key, body), '');
    return src;
  }

  const want = (t: number) => Array.from({ length: V3_SHAPE[1] * V3_SHAPE[2] }, (_, i) => Math.fround(v3Value(t, Math.floor(i / V3_SHAPE[2]), i % V3_SHAPE[2])));

  it('reads shard indexes by offset when the store can be listed', async () => {
    const src = await shardedStore(true);
    const ds = await ZarrDataset.open(src);
    const r = await ds.read('sharded', { index: [2, 0, 0], free: [1, 2] });
    expect(Array.from(r.values)).toEqual(want(2));
    const onShard = src.ranges.filter((x) => x.key === 'sharded/c/2/0/0');
    expect(onShard.length).toBeGreaterThan(1);
    expect(onShard.filter((x) => 'suffixLength' in x.range)).toEqual([]);
    // The index is the last 4 x 16 + 4 bytes of the shard.
    const size = src.files.get('sharded/c/2/0/0')!.length;
    expect(onShard[0]!.range).toEqual({ offset: size - 68, length: 68 });
  });

  it('falls back to a suffix range when the sizes are unknown', async () => {
    const src = await shardedStore(false);
    const ds = await ZarrDataset.open(src, { extraNames: ['sharded'] });
    const r = await ds.read('sharded', { index: [1, 0, 0], free: [1, 2] });
    expect(Array.from(r.values)).toEqual(want(1));
    expect(src.ranges.some((x) => x.key === 'sharded/c/1/0/0' && 'suffixLength' in x.range)).toBe(true);
  });
});
