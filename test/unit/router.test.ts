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

describe('what links carry beyond the place', () => {
  it('round-trip a dataset view, a nested group and the endpoint of an anonymous connection, with hostile names', () => {
    const routes: Route[] = [
      { name: 'dataset', bucket: 'b', path: 'a b/x?.zarr', group: 'g/h&i=j', view: { var: 'tas&x=1', index: { 'time:utc': 3, 'a,b': 0, 'p/q': 12 }, y: 'lat?', x: 'lon#', cmap: 'greys', range: { min: -1.5, max: 2e-7 }, zoom: { k: 2.5, cx: 100.25, cy: 3 } } },
      { name: 'dataset', bucket: 'b', path: 'x.zarr', at: 'https://t-o.s3-ext.jc.rl.ac.uk' },
      { name: 'object', bucket: 'b', key: 'k?at=evil', at: 'http://127.0.0.1:7480/' },
      { name: 'bucket', bucket: 'b', prefix: 'p/', at: 'https://h/?x=1&y=2' },
      ...HOSTILE_KEYS.map((key): Route => ({ name: 'dataset', bucket: 'b', path: `${key}.zarr`, view: { var: key, index: { [key]: 1 } } })),
    ];
    for (const r of routes) expect(parseHash(routeToHash(r))).toEqual(r);
  });

  it('leaves out view fields that cannot be read, and never takes a key part as a parameter', () => {
    expect(parseHash('#/dataset/b/x.zarr?i=time:-1&i=nocolon&range=5,1&zoom=0,1,1&var=t')).toEqual({ name: 'dataset', bucket: 'b', path: 'x.zarr', view: { var: 't' } });
    expect(parseHash('#/o/b/a%3Fat%3Dx')).toEqual({ name: 'object', bucket: 'b', key: 'a?at=x' });
    expect(parseHash('#/?at=https://h')).toEqual({ name: 'connect' });
  });
});
