import { describe, expect, it } from 'vitest';
import { isZarrStorePath, publicStoreUrl, storePath } from '../../../src/lib/zarr/address';
import { parseStoreUrl } from '../../../src/lib/zarr/url-source';

describe('Zarr store addresses', () => {
  it('recognises stores by their .zarr name, with or without a trailing slash', () => {
    expect(isZarrStorePath('data/cf.zarr')).toBe(true);
    expect(isZarrStorePath('data/cf.zarr/')).toBe(true);
    expect(isZarrStorePath('ERA5.ZARR')).toBe(true);
    expect(isZarrStorePath('data/cf.zarr/tas/0.0')).toBe(false);
    expect(isZarrStorePath('data/notzarr')).toBe(false);
    expect(isZarrStorePath('data/.zarr.txt')).toBe(false);
    expect(isZarrStorePath('')).toBe(false);
  });

  it('builds the public URL that UrlSource reads back to the same bucket and prefix', () => {
    expect(storePath('a/b.zarr//')).toBe('a/b.zarr');
    const url = publicStoreUrl('https://host.example/', 'my-bucket', 'runs 1/cf#2.zarr/');
    expect(url).toBe('https://host.example/my-bucket/runs%201/cf%232.zarr');
    const parsed = parseStoreUrl(url);
    expect(parsed.bucket).toBe('my-bucket');
    expect(parsed.prefix).toBe('runs 1/cf#2.zarr/');
  });
});
