import { describe, expect, it } from 'vitest';
import { chunkKey, parseJson, parseV2Array, parseV3Array } from '../../../src/lib/zarr/metadata';

const enc = (s: string) => new TextEncoder().encode(s);
const v2 = (over: Record<string, unknown> = {}) => ({ zarr_format: 2, shape: [10, 20], chunks: [5, 20], dtype: '<f4', compressor: { id: 'blosc', cname: 'zstd', clevel: 5, shuffle: 1, blocksize: 0 }, fill_value: 'NaN', order: 'C', filters: null, ...over });

describe('Zarr metadata', () => {
  it('reads JSON with the NaN Zarr v2 writes', () => {
    expect(parseJson(enc('{"fill_value": NaN, "x": -Infinity}'), '.zarray')).toEqual({ fill_value: 'NaN', x: '-Infinity' });
    expect(() => parseJson(enc('{"shape": [1'), 'a/.zarray')).toThrow(/a\/\.zarray is not valid JSON/);
    expect(() => parseJson(enc('[1]'), 'a/.zarray')).toThrow(/JSON object/);
  });

  it('parses v2 arrays and names codecs', () => {
    const m = parseV2Array(v2({ filters: [{ id: 'delta', dtype: '<f4' }] }), '.zarray', { _ARRAY_DIMENSIONS: ['y', 'x'] });
    expect(m).toMatchObject({ shape: [10, 20], chunkShape: [5, 20], dtype: 'float32', bigEndian: false, dimensionNames: ['y', 'x'] });
    expect(m.codecs.map((c) => c.label)).toEqual(['delta', 'blosc(zstd, level 5, shuffle)']);
    expect(m.codecs.every((c) => c.supported)).toBe(true);
    expect(parseV2Array(v2({ dtype: '>f8' }), '.zarray', {}).bigEndian).toBe(true);
  });

  it('flags codecs it cannot decode', () => {
    const m = parseV2Array(v2({ compressor: { id: 'bz2', level: 1 } }), '.zarray', {});
    expect(m.codecs).toEqual([{ name: 'numcodecs.bz2', label: 'bz2(level 1)', supported: false }]);
  });

  it('explains what is wrong with malformed metadata', () => {
    expect(() => parseV2Array(v2({ shape: 'x' }), 'a/.zarray', {})).toThrow(/a\/\.zarray is not valid Zarr metadata: "shape"/);
    expect(() => parseV2Array(v2({ chunks: [5] }), '.zarray', {})).toThrow(/"chunks" has 1 entries but "shape" has 2/);
    expect(() => parseV2Array(v2({ dtype: '|O' }), '.zarray', {})).toThrow(/data type \|O/);
    expect(() => parseV2Array(v2({ zarr_format: 3 }), '.zarray', {})).toThrow(/zarr_format/);
  });

  it('parses v3 arrays, sharding included', () => {
    const m = parseV3Array(
      {
        zarr_format: 3, node_type: 'array', shape: [8, 8], data_type: 'int16', dimension_names: ['y', 'x'],
        chunk_grid: { name: 'regular', configuration: { chunk_shape: [8, 8] } },
        chunk_key_encoding: { name: 'default', configuration: { separator: '/' } }, fill_value: 0,
        codecs: [{ name: 'sharding_indexed', configuration: { chunk_shape: [4, 4], codecs: [{ name: 'bytes', configuration: { endian: 'big' } }, { name: 'gzip', configuration: { level: 1 } }], index_codecs: [{ name: 'bytes', configuration: { endian: 'little' } }, { name: 'crc32c' }] } }],
      },
      'zarr.json',
    );
    expect(m).toMatchObject({ sharded: true, chunkShape: [4, 4], objectShape: [8, 8], bigEndian: true, dimensionNames: ['y', 'x'] });
    expect(m.codecs[0]!.label).toBe('sharding(4×4: bytes(big), gzip(level 1))');
    expect(chunkKey(m, [1, 0])).toBe('c/1/0');
  });

  it('encodes chunk keys for both formats', () => {
    const m = parseV2Array(v2(), '.zarray', {});
    expect(chunkKey(m, [1, 2])).toBe('1.2');
    expect(chunkKey(parseV2Array(v2({ dimension_separator: '/' }), '.zarray', {}), [1, 2])).toBe('1/2');
    expect(chunkKey(parseV2Array(v2({ shape: [], chunks: [] }), '.zarray', {}), [])).toBe('0');
  });
});
