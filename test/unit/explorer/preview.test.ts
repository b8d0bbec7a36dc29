import { describe, expect, it } from 'vitest';
import { hexDump, looksLikeText, parseCsv, previewKind } from '../../../src/lib/explorer/preview';
import { matcher } from '../../../src/lib/explorer/walk';

describe('quick look', () => {
  it('chooses a view from name, type and bytes', () => {
    expect(previewKind('a/b.json', undefined)).toBe('json');
    expect(previewKind('x/.zattrs', 'binary/octet-stream')).toBe('json');
    expect(previewKind('t.csv', undefined)).toBe('csv');
    expect(previewKind('p.PNG', 'binary/octet-stream')).toBe('image');
    expect(previewKind('noext', 'application/octet-stream', new TextEncoder().encode('hello\nworld'))).toBe('text');
    expect(previewKind('noext', 'application/octet-stream', new Uint8Array([0, 1, 2, 3]))).toBe('hex');
  });
  it('accepts UTF-8 cut mid-character by a range', () => {
    const bytes = new TextEncoder().encode('héllo 🎉');
    expect(looksLikeText(bytes.subarray(0, bytes.length - 2))).toBe(true);
  });
  it('parses quoted CSV and drops a row cut by the range', () => {
    expect(parseCsv('a,b\n"x, y","say ""hi"""\nlast,cut', { complete: false })).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
    ]);
    expect(parseCsv('a\tb\n1\t2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });
  it('dumps hex with offsets and ASCII', () => {
    expect(hexDump(new TextEncoder().encode('ABC\n'), 16)).toBe(`00000010  ${'41 42 43 0a'.padEnd(47)}  ABC.`);
  });
  it('find matches substrings and wildcards', () => {
    expect(matcher('TAS', false)('run/tas_day.nc')).toBe(true);
    expect(matcher('TAS', true)('run/tas_day.nc')).toBe(false);
    expect(matcher('*.nc', false)('a/b.nc')).toBe(true);
  });
});
