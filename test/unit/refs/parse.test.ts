/**
 * Parsing kerchunk reference files: versions 0 and 1, templates, gen,
 * inline data, and zstd/gzip layers recognised by their magic bytes. The
 * compressed forms are made by real producers (Node's zlib, Debian's zstd).
 */
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fromDocument, inlineBytes, looksLikeReferences, parseReferences } from '../../../src/lib/refs/parse';
import { render } from '../../../src/lib/refs/template';
import { refsFormatOf } from '../../../src/lib/refs/open';
import { encodeReferences, toDocument } from '../../../src/lib/refs/write';
import { RefsError } from '../../../src/lib/refs/errors';

const enc = (s: string) => new TextEncoder().encode(s);

describe('templates', () => {
  it('renders names and integer arithmetic as Jinja2 does', () => {
    expect(render('{{u}}', { u: 's3://b/f.nc' })).toBe('s3://b/f.nc');
    expect(render('{{ 100 + i * 16 }}', { i: 2 })).toBe('132');
    expect(render('{{ (i + 1) * (j - 3) }}', { i: 1, j: 1 })).toBe('-4');
    // Python's floor division and modulo round towards minus infinity.
    expect(render('{{ -7 // 2 }}/{{ -7 % 3 }}/{{ 2 ** 10 }}', {})).toBe('-4/2/1024');
    expect(render('a/{{i}}.{{j}}', { i: 3, j: 0 })).toBe('a/3.0');
    expect(render('no template', {})).toBe('no template');
  });

  it('refuses what it cannot render, naming it', () => {
    expect(() => render('{{ x }}', {})).toThrow(/names "x"/);
    expect(() => render('{{ u | upper }}', { u: 'a' })).toThrow(/cannot render/);
    expect(() => render('{% for %}', {})).toThrow(/statements/);
  });
});

describe('fromDocument', () => {
  it('reads version 0 (a flat map)', () => {
    const refs = fromDocument({ '.zgroup': '{"zarr_format":2}', 'a/0': ['s3://b/f.nc', 10, 20], 'a/1': ['s3://b/g.nc'] });
    expect(refs).toEqual({ version: 1, refs: { '.zgroup': '{"zarr_format":2}', 'a/0': ['s3://b/f.nc', 10, 20], 'a/1': ['s3://b/g.nc'] } });
  });

  it('fills templates, expands gen in C order, serialises metadata objects', () => {
    const refs = fromDocument({
      version: 1,
      templates: { u: 's3://bucket/data.nc', g: 'grid.bin' },
      refs: { '.zgroup': { zarr_format: 2 }, 'x/0': ['{{u}}', 5, 6], 'y/0': 'base64:AAEC' },
      gen: [{ key: 'g/{{i}}.{{j}}', url: '{{g}}', offset: '{{ (i * 2 + j) * 24 }}', length: '24', dimensions: { i: { stop: 2 }, j: [0, 1] } }],
    });
    expect(refs.refs['.zgroup']).toBe('{"zarr_format":2}');
    expect(refs.refs['x/0']).toEqual(['s3://bucket/data.nc', 5, 6]);
    expect(refs.refs['y/0']).toBe('base64:AAEC');
    expect(Object.entries(refs.refs).filter(([k]) => k.startsWith('g/'))).toEqual([
      ['g/0.0', ['grid.bin', 0, 24]],
      ['g/0.1', ['grid.bin', 24, 24]],
      ['g/1.0', ['grid.bin', 48, 24]],
      ['g/1.1', ['grid.bin', 72, 24]],
    ]);
  });

  it('gen without offset and length makes whole-object references; start and step are honoured', () => {
    const refs = fromDocument({ version: 1, refs: {}, gen: [{ key: 'v/{{t}}', url: 'file-{{t}}.bin', dimensions: { t: { start: 2, stop: 8, step: 3 } } }] });
    expect(refs.refs).toEqual({ 'v/2': ['file-2.bin'], 'v/5': ['file-5.bin'] });
  });

  it('says what is wrong with a malformed or unknown file', () => {
    const kind = (doc: unknown) => {
      try {
        fromDocument(doc);
        return 'ok';
      } catch (e) {
        return (e as RefsError).kind;
      }
    };
    expect(kind([1, 2])).toBe('not-references');
    expect(kind({ version: 2, refs: {} })).toBe('unsupported');
    expect(kind({ version: 1 })).toBe('malformed');
    expect(kind({ version: 1, refs: { a: ['u', 1] } })).toBe('malformed');
    expect(kind({ version: 1, refs: { a: 5 } })).toBe('malformed');
    expect(kind({ version: 1, templates: { f: '{{a}}x' }, refs: {} })).toBe('unsupported');
    expect(kind({ version: 1, refs: {}, gen: [{ key: 'a/{{i}}', url: 'u', offset: '1', dimensions: { i: [0] } }] })).toBe('malformed');
    expect(kind({ version: 1, refs: { a: ['{{nope}}', 0, 1] } })).toBe('unsupported');
  });
});

describe('parseReferences', () => {
  const doc = { version: 1, templates: { u: 's3://b/x.nc' }, refs: { '.zgroup': '{"zarr_format":2}', 'v/0': ['{{u}}', 1, 2] } };
  const want = { version: 1, refs: { '.zgroup': '{"zarr_format":2}', 'v/0': ['s3://b/x.nc', 1, 2] } };
  const plain = enc(JSON.stringify(doc));

  it('reads plain, gzip and zstd JSON alike', async () => {
    const zst = new Uint8Array(execFileSync('zstd', ['-q', '-c'], { input: plain }));
    expect([...zst.subarray(0, 4)]).toEqual([0x28, 0xb5, 0x2f, 0xfd]);
    for (const bytes of [plain, new Uint8Array(gzipSync(plain)), zst]) expect(await parseReferences(bytes)).toEqual(want);
  });

  it('refuses what is not JSON, saying so', async () => {
    await expect(parseReferences(enc('CDF\x01...'), 'x.nc')).rejects.toThrow(/x.nc is not a kerchunk reference file: its JSON does not parse/);
    await expect(parseReferences(new Uint8Array([0xff, 0xfe, 0x00]))).rejects.toThrow(/not UTF-8/);
  });

  it('recognises the start of a reference file', () => {
    expect(looksLikeReferences(plain.subarray(0, 40))).toBe(true);
    expect(looksLikeReferences(enc('{".zgroup": "{}", "a/.zarray": ""'))).toBe(true);
    expect(looksLikeReferences(enc('{"type": "FeatureCollection"}'))).toBe(false);
    expect(looksLikeReferences(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0]))).toBe(true);
    expect(looksLikeReferences(enc('\x89HDF\r\n'))).toBe(false);
  });

  it('names formats by key', () => {
    expect(refsFormatOf('a/tas_kr1.0.json')).toBe('json');
    expect(refsFormatOf('a/tas.json.zst')).toBe('json');
    expect(refsFormatOf('a/tas.JSON.gz')).toBe('json');
    expect(refsFormatOf('a/kerchunk-kr1.0.parq/')).toBe('parquet');
    expect(refsFormatOf('a/tas.nc')).toBeUndefined();
  });

  it('decodes inline data', () => {
    expect([...inlineBytes('base64:AAEC/w==')]).toEqual([0, 1, 2, 255]);
    expect(new TextDecoder().decode(inlineBytes('{"a":1}'))).toBe('{"a":1}');
  });
});

describe('writing', () => {
  it('folds repeated URLs into templates and reads back to the same references', async () => {
    const refs = { version: 1 as const, refs: { '.zgroup': '{"zarr_format":2}', 'a/0': ['s3://b/f.nc', 0, 8] as [string, number, number], 'a/1': ['s3://b/f.nc', 8, 8] as [string, number, number], 'w/0': ['s3://b/w.bin'] as [string], 'i/0': 'base64:AA==' } };
    const doc = toDocument(refs);
    expect(doc.templates).toEqual({ u0: 's3://b/f.nc' });
    expect(doc.refs['a/1']).toEqual(['{{u0}}', 8, 8]);
    expect(await parseReferences(encodeReferences(refs))).toEqual(refs);
  });

  it('makes relative URLs absolute when asked (Python has no "next to the file")', () => {
    const doc = toDocument({ version: 1, refs: { 'a/0': ['data.nc', 0, 4], 'a/1': ['https://h/x', 0, 4] } }, { absoluteBase: 's3://b/dir/', templateMin: 0 });
    expect(doc.refs).toEqual({ 'a/0': ['s3://b/dir/data.nc', 0, 4], 'a/1': ['https://h/x', 0, 4] });
  });
});
