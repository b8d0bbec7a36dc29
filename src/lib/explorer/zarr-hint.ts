/** Whether a prefix looks like a Zarr store, so the Explorer can offer "Open as dataset". */

const MARKERS = ['.zmetadata', '.zgroup', '.zattrs', '.zarray', 'zarr.json'];

/** A folder named `*.zarr/`. */
export function looksLikeZarrName(prefix: string): boolean {
  return /\.zarr\/?$/i.test(prefix);
}

/** A listing of `prefix` that holds Zarr metadata objects directly. */
export function hasZarrMarkers(prefix: string, keys: Iterable<string>): boolean {
  for (const k of keys) {
    if (!k.startsWith(prefix)) continue;
    const name = k.slice(prefix.length);
    if (MARKERS.includes(name)) return true;
  }
  return false;
}
