import { describe, expect, it } from 'vitest';
import { parseHash, routeToHash, type Route } from '../../src/state/router.svelte';
import { HOSTILE_KEYS } from '../helpers/hostile-keys';

describe('hash routes', () => {
  it('round-trip every route, with hostile keys and prefixes', () => {
    const routes: Route[] = [
      { name: 'connect' },
      { name: 'buckets' },
      { name: 'bucket', bucket: 'b', prefix: '' },
      { name: 'bucket', bucket: 'my.bucket', prefix: 'a/b c/' },
      ...HOSTILE_KEYS.map((key): Route => ({ name: 'object', bucket: 'b', key })),
      ...HOSTILE_KEYS.map((key): Route => ({ name: 'bucket', bucket: 'b', prefix: `${key}/` })),
      { name: 'dataset', bucket: 'b', path: 'climate/tas.zarr' },
      { name: 'settings', bucket: 'my.bucket' },
    ];
    for (const r of routes) expect(parseHash(routeToHash(r))).toEqual(r);
  });

  it('unknown or broken hashes go to connect', () => {
    expect(parseHash('')).toEqual({ name: 'connect' });
    expect(parseHash('#/nowhere')).toEqual({ name: 'connect' });
    expect(parseHash('#/b/')).toEqual({ name: 'connect' });
    expect(parseHash('#/o/b/%E0%A4%A')).toEqual({ name: 'object', bucket: 'b', key: '%E0%A4%A' });
  });
});
