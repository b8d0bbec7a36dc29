/**
 * The fast ListObjects scanner must read exactly what the full XML parser
 * reads, and hand anything unusual back to it (answering `null`).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseListObjects, parseWithXmlParser } from '../../src/lib/s3/ops/list-objects';
import { scanListObjects } from '../../src/lib/s3/ops/list-scan';
import { escapeXml } from '../../src/lib/s3/xml';
import { HOSTILE_KEYS } from '../helpers/hostile-keys';

const DIR = join(import.meta.dirname, '../fixtures/rgw-xml');
const listings = readdirSync(DIR).filter((f) => f.startsWith('list-objects-'));

/** A page as a store would send it, keys escaped as XML text (raw) or URL-encoded. */
function page(keys: string[], opts: { encoded: boolean; v2?: boolean; truncated?: boolean; prefixes?: string[] }): string {
  const enc = (k: string) => (opts.encoded ? encodeURIComponent(k) : escapeXml(k));
  const items = keys
    .map((k, i) => `<Contents><Key>${enc(k)}</Key><LastModified>2026-11-29T11:50:11.${String(i % 1000).padStart(3, '0')}Z</LastModified><ETag>&quot;etag${i}&quot;</ETag><Size>${i}</Size><StorageClass>STANDARD</StorageClass><Owner><ID>o</ID><DisplayName>O &amp; Co</DisplayName></Owner><Type>Normal</Type></Contents>`)
    .join('');
  const pre = (opts.prefixes ?? []).map((p) => `<CommonPrefixes><Prefix>${enc(p)}</Prefix></CommonPrefixes>`).join('');
  const v2 = opts.v2 ?? true;
  return (
    `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
    (opts.encoded ? '<EncodingType>url</EncodingType>' : '') +
    `<Name>b</Name><Prefix>p/</Prefix><MaxKeys>1000</MaxKeys><IsTruncated>${opts.truncated ? 'true' : 'false'}</IsTruncated>` +
    (v2 && opts.truncated ? '<NextContinuationToken>tok&amp;en</NextContinuationToken>' : '') +
    pre +
    items +
    (v2 ? `<KeyCount>${keys.length}</KeyCount>` : '') +
    '</ListBucketResult>'
  );
}

describe('ListObjects scanner', () => {
  it.each(listings)('reads the real RGW page %s as the XML parser does', (file) => {
    const xml = readFileSync(join(DIR, file), 'utf8');
    expect(scanListObjects(xml)).not.toBeNull();
    expect(parseListObjects(xml)).toEqual(parseWithXmlParser(xml));
  });

  it.each([
    ['URL-encoded', true],
    ['raw XML text', false],
  ])('reads hostile keys %s as the XML parser does', (_label, encoded) => {
    // Raw XML can carry control characters only as character references, which the XML parser drops
    // (and the scanner keeps: checked below); both readers agree on everything else.
    const keys = encoded ? HOSTILE_KEYS : HOSTILE_KEYS.filter((k) => ![...k].some((ch) => ch < ' ' && ch !== '\t' && ch !== '\n'));
    for (const opts of [{ encoded, truncated: true }, { encoded, v2: false, truncated: true, prefixes: ['a&b/', '<x>/'] }, { encoded }]) {
      const xml = page(keys, opts);
      expect(scanListObjects(xml)).not.toBeNull();
      const fast = parseListObjects(xml);
      expect(fast).toEqual(parseWithXmlParser(xml));
      expect(fast.objects.map((o) => o.key)).toEqual(keys);
    }
  });

  it('keeps control characters given as character references', () => {
    const keys = HOSTILE_KEYS.filter((k) => k.includes('\u0001'));
    expect(keys.length).toBeGreaterThan(0);
    expect(parseListObjects(page(keys, { encoded: false })).objects.map((o) => o.key)).toEqual(keys);
  });

  it('reads character references and empty elements', () => {
    const xml = page(['a'], { encoded: false }).replace('<Key>a</Key>', '<Key>&#x1F600;&#60;&#x26;</Key>').replace('<StorageClass>STANDARD</StorageClass>', '<StorageClass/>');
    const fast = parseListObjects(xml);
    expect(fast.objects[0]!.key).toBe('😀<&');
    expect(fast).toEqual(parseWithXmlParser(xml));
  });

  it.each([
    ['CDATA', (x: string) => x.replace('<Key>a</Key>', '<Key><![CDATA[a]]></Key>')],
    ['a comment', (x: string) => x.replace('<Key>a</Key>', '<Key>a</Key><!-- c -->')],
    ['an HTML entity', (x: string) => x.replace('<Key>a</Key>', '<Key>a&nbsp;b</Key>')],
    ['a stray ampersand', (x: string) => x.replace('<Key>a</Key>', '<Key>a & b</Key>')],
    ['markup inside a key', (x: string) => x.replace('<Key>a</Key>', '<Key>a<b/>c</Key>')],
    ['a namespace prefix', (x: string) => x.replace(/ListBucketResult/g, 's3:ListBucketResult')],
    ['a missing end tag', (x: string) => x.replace('</Contents>', '')],
    ['carriage returns', (x: string) => x.replace('<Key>a</Key>', '<Key>a\r\nb</Key>')],
  ])('hands %s to the XML parser', (_label, edit) => {
    const xml = edit(page(['a', 'b'], { encoded: false }));
    expect(scanListObjects(xml)).toBeNull();
  });
});
