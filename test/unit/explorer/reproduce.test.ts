import { describe, expect, it } from 'vitest';
import { combine, isPythonName, py, pyKeywords, reproduce, sh } from '../../../src/lib/explorer/reproduce';
import { clampExpiry, attachmentQuery, MAX_PRESIGN_SECONDS } from '../../../src/lib/explorer/share';
import { hasZarrMarkers, looksLikeZarrName } from '../../../src/lib/explorer/zarr-hint';
import { localPath } from '../../../src/lib/explorer/download-tree';
import { targetKey, copyPartSize, isMultipartEtag } from '../../../src/lib/explorer/copy';

const ctx = { endpoint: 'https://my-tenancy-o.s3-ext.jc.rl.ac.uk', anonymous: false };

describe('reproduce in code', () => {
  it('quotes hostile keys for the shell and never includes a secret', () => {
    const s = reproduce({ kind: 'get', bucket: 'b', key: "it's $HOME/x.nc" }, ctx);
    const s3cmd = s.find((x) => x.tool === 's3cmd')!.code;
    expect(s3cmd).toBe(`s3cmd --host=my-tenancy-o.s3-ext.jc.rl.ac.uk --host-bucket=my-tenancy-o.s3-ext.jc.rl.ac.uk get 's3://b/it'\\''s $HOME/x.nc' x.nc`);
    for (const x of s) expect(x.code).not.toMatch(/secret_key=|SECRET_ACCESS_KEY=\w/);
    expect(sh('plain/key.nc')).toBe('plain/key.nc');
  });

  it('gives recursive flags for prefixes and the right endpoint for aws and python', () => {
    const s = reproduce({ kind: 'mv', sourceBucket: 'a', source: 'run1/', targetBucket: 'b', target: 'archive/run1/' }, { endpoint: 'http://127.0.0.1:7480', anonymous: false });
    expect(s.find((x) => x.tool === 'aws')!.code).toBe('aws --endpoint-url http://127.0.0.1:7480 s3 mv --recursive s3://a/run1/ s3://b/archive/run1/');
    expect(s.find((x) => x.tool === 's3cmd')!.code).toContain('--no-ssl mv -r');
    expect(s.find((x) => x.tool === 'python')!.code).toContain('fs.mv("a/run1/", "b/archive/run1/", recursive=True)');
    expect(reproduce({ kind: 'get', bucket: 'b', key: 'run/..' }, ctx).find((x) => x.tool === 'mc')!.code).toMatch(/ object$/);
    const z = reproduce({ kind: 'open-zarr', bucket: 'b', path: 'x.zarr/' }, { ...ctx, anonymous: true });
    expect(z[0]!.code).toContain('anon=True');
    expect(z[0]!.code).toContain('xr.open_zarr(s3fs.S3Map("b/x.zarr", s3=fs), consolidated=True)');
  });

  it('writes Python string literals that show what they hold', () => {
    expect(py('plain/key.nc')).toBe('"plain/key.nc"');
    expect(py('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(py('tab\tnl\ncr\r\u0001\u007f\u0085')).toBe('"tab\\tnl\\ncr\\r\\x01\\x7f\\x85"');
    // Bidirectional overrides and line separators would make the line read differently from what it does.
    expect(py('a\u202eb\u2028c\ufeff')).toBe('"a\\u202eb\\u2028c\\ufeff"');
    // A lone surrogate cannot be written in UTF-8 source.
    expect(py('x\ud800')).toBe('"x\\ud800"');
    expect(py('émoji 😀 日本')).toBe('"émoji 😀 日本"');
  });

  it('uses keyword arguments only for plain Python names', () => {
    expect(isPythonName('time')).toBe(true);
    for (const n of ['a-b', 'class', 'None', '1x', 'ﬁ', 'é', '']) expect(isPythonName(n), n).toBe(false);
    expect(pyKeywords([['a', '1'], ['b', '2']])).toBe('a=1, b=2');
    expect(pyKeywords([['a', '1'], ['a-b', '2']])).toBe('**{"a": 1, "a-b": 2}');
    expect(pyKeywords([['path', '1']], ['path'])).toBe('**{"path": 1}');
  });

  it('keeps values that start with "-" from being read as options', () => {
    const get = reproduce({ kind: 'get', bucket: 'b', key: 'dir/-rf' }, ctx);
    expect(get.find((x) => x.tool === 'aws')!.code).toMatch(/ s3:\/\/b\/dir\/-rf \.\/-rf$/);
    const info = reproduce({ kind: 'info', bucket: 'b', key: '-k' }, ctx);
    expect(info.find((x) => x.tool === 'aws')!.code).toContain('--bucket=b --key=-k');
    const put = reproduce({ kind: 'put', bucket: 'b', key: 'k', file: '-' }, ctx);
    expect(put.find((x) => x.tool === 's3cmd')!.code).toContain(' put ./- s3://b/k');
  });

  it('combines actions without repeating set-up lines', () => {
    const c = combine(reproduce({ kind: 'info', bucket: 'b', key: 'k' }, ctx), reproduce({ kind: 'get', bucket: 'b', key: 'k' }, ctx));
    const mc = c.find((x) => x.tool === 'mc')!.code.split('\n');
    expect(mc.filter((l) => l.startsWith('mc alias'))).toHaveLength(1);
    expect(mc).toContain("mc stat tessera/b/k");
  });
});

describe('share links', () => {
  const now = new Date('2025-03-01T00:00:00Z');
  it('never beyond 7 days nor the key expiry', () => {
    expect(clampExpiry(3600, null, now)).toEqual({ seconds: 3600 });
    expect(clampExpiry(30 * 86400, null, now).seconds).toBe(MAX_PRESIGN_SECONDS);
    const d = clampExpiry(5 * 86400, new Date('2025-03-03T00:00:00Z'), now);
    expect(d.seconds).toBe(2 * 86400);
    expect(d.note).toContain('2025-03-03');
    expect(() => clampExpiry(60, new Date('2025-02-01T00:00:00Z'), now)).toThrow(/expired/);
  });
  it('names the download after the key', () => {
    expect(attachmentQuery('a/b/résumé "x".pdf')['response-content-disposition']).toBe(`attachment; filename="r_sum_ _x_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22x%22.pdf`);
  });
});

describe('small helpers', () => {
  it('spots Zarr stores', () => {
    expect(looksLikeZarrName('data/era5.zarr/')).toBe(true);
    expect(looksLikeZarrName('data/era5/')).toBe(false);
    expect(hasZarrMarkers('d/', ['d/.zmetadata', 'd/x/0.0'])).toBe(true);
    expect(hasZarrMarkers('d/', ['d/x/.zarray'])).toBe(false);
  });
  it('maps keys to safe local paths', () => {
    expect(localPath('run/a/../b//c.nc', 'run/')).toEqual(['a', '%2E%2E', 'b', 'c.nc']);
  });
  it('places copies and sizes copy parts within 10,000 parts', () => {
    expect(targetKey('src/a/b.nc', 'src/', 'dst/')).toBe('dst/a/b.nc');
    expect(() => targetKey('other/x', 'src/', 'dst/')).toThrow();
    expect(copyPartSize(6 * 1024 ** 3)).toBe(512 * 1024 ** 2);
    expect(copyPartSize(10 * 1024 ** 4) * 10_000).toBeGreaterThanOrEqual(10 * 1024 ** 4);
    expect(isMultipartEtag('abc-12')).toBe(true);
    expect(isMultipartEtag('d41d8cd98f00b204e9800998ecf8427e')).toBe(false);
  });
});
