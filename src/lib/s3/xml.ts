/**
 * XML in and out, without DOMParser (workers have none). fast-xml-parser is
 * pure JavaScript; text is kept verbatim (no number coercion, no trimming) so
 * keys like `007` or ` padded ` survive.
 *
 * The answers come from endpoints the user typed, so they are untrusted: the
 * parser processes no entities and no DOCTYPE at all (a document that has
 * one is refused before parsing: S3 never sends one, and entity expansion,
 * "billion laughs", and external entities live there). The five predefined
 * entities and numeric character references (S3 escapes control characters
 * in keys as `&#x1;`) are decoded here, by `decodeXmlText`, and nothing else.
 */
import { XMLParser } from 'fast-xml-parser';

export type XmlNode = { [tag: string]: XmlValue };
export type XmlValue = string | XmlNode | XmlValue[];

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: true,
  tagValueProcessor: (_name, value) => decodeXmlText(value),
});

export class XmlParseError extends Error {
  override readonly name = 'XmlParseError';
}

const ENTITY = /&(?:(lt|gt|amp|quot|apos)|#x([0-9a-fA-F]{1,8})|#([0-9]{1,10}));/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Decode the five predefined XML entities and numeric character references.
 * A reference to no character (0, a surrogate half, beyond U+10FFFF) becomes
 * U+FFFD: a key cannot hold one (S3 keys are UTF-8), and a lone surrogate
 * would break every later encoding of the string. Any other `&name;` is left
 * as written.
 */
export function decodeXmlText(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (_m, name: string | undefined, hex: string | undefined, dec: string | undefined) => {
    if (name) return NAMED[name]!;
    const cp = hex !== undefined ? parseInt(hex, 16) : parseInt(dec!, 10);
    if (!(cp > 0 && cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
    return String.fromCodePoint(cp);
  });
}

/** A DOCTYPE (where entities are declared) anywhere in the document. */
export function hasDoctype(text: string): boolean {
  return /<!DOCTYPE/i.test(text);
}

/** Parse an XML document into plain objects. Throws `XmlParseError` on malformed input or a DOCTYPE. */
export function parseXml(text: string): XmlNode {
  if (hasDoctype(text)) throw new XmlParseError('The answer declares a DOCTYPE, which S3 never sends; Tessera does not read documents with entity declarations.');
  let doc: unknown;
  try {
    doc = parser.parse(text, true);
  } catch (e) {
    throw new XmlParseError(`Malformed XML: ${(e as Error).message}`, { cause: e });
  }
  if (!doc || typeof doc !== 'object') throw new XmlParseError('Empty XML document');
  return doc as XmlNode;
}

/** The child node `tag` of `node` (first one if repeated), if it is an element. */
export function child(node: XmlValue | undefined, tag: string): XmlNode | undefined {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const v = node[tag];
  const first = Array.isArray(v) ? v[0] : v;
  if (first === '' ) return {};
  return first && typeof first === 'object' && !Array.isArray(first) ? first : undefined;
}

/** All children named `tag`, as an array (S3 omits the wrapper for repeated elements). */
export function children(node: XmlValue | undefined, tag: string): XmlValue[] {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return [];
  const v = node[tag];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Text of child `tag` (empty element = ''), or undefined when absent. */
export function text(node: XmlValue | undefined, tag: string): string | undefined {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const v = node[tag];
  const first = Array.isArray(v) ? v[0] : v;
  if (first === undefined) return undefined;
  if (typeof first === 'string') return first;
  if (first && typeof first === 'object' && !Array.isArray(first)) {
    const t = first['#text'];
    return typeof t === 'string' ? t : '';
  }
  return undefined;
}

/** Text of all children named `tag`. */
export function texts(node: XmlValue | undefined, tag: string): string[] {
  return children(node, tag).map((v) => (typeof v === 'string' ? v : ''));
}

export function int(node: XmlValue | undefined, tag: string): number | undefined {
  const t = text(node, tag);
  if (t === undefined || t.trim() === '') return undefined;
  const n = Number(t.trim());
  return Number.isFinite(n) ? n : undefined;
}

export function bool(node: XmlValue | undefined, tag: string): boolean {
  return text(node, tag)?.trim().toLowerCase() === 'true';
}

/** Escape text for an XML element body or attribute. */
export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;')
    // eslint-disable-next-line no-control-regex -- control characters are what this escapes
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `<Tag>escaped text</Tag>` */
export function element(tag: string, value: string | number | boolean): string {
  return `<${tag}>${escapeXml(String(value))}</${tag}>`;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
