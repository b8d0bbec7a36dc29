/** A key source that counts the requests and bytes that reach the store (a seam for the NetCDF tests). */
import type { KeySource } from '../../../src/lib/zarr/source';

export function counting(source: KeySource): { source: KeySource; stats: { requests: number; bytes: number } } {
  const stats = { requests: 0, bytes: 0 };
  const counted: KeySource = {
    label: source.label,
    anonymous: source.anonymous,
    get: async (key, range, signal) => {
      const b = await source.get(key, range, signal);
      stats.requests++;
      stats.bytes += b?.length ?? 0;
      return b;
    },
  };
  return { source: counted, stats };
}
