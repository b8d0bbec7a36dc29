import { describe, expect, it } from 'vitest';
import { previewKind, rasterImageType } from '../../../src/lib/explorer/preview';

const enc = (s: string) => new TextEncoder().encode(s);
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const HTML = enc('<!doctype html><script>parent.postMessage(localStorage, "*")</script>');
const SVG = enc('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>');

describe('previews never give object bytes an active type', () => {
  it('HTML and SVG are shown as text, whatever their content type', () => {
    for (const [key, ct] of [
      ['page.html', 'text/html'],
      ['page.htm', undefined],
      ['pic.svg', 'image/svg+xml'],
      ['pic', 'image/svg+xml'],
      ['x.xhtml', 'application/xhtml+xml'],
    ] as const) {
      expect(previewKind(key, ct, key.includes('svg') || ct?.includes('svg') ? SVG : HTML)).not.toBe('image');
    }
  });

  it('an image is an image only when its bytes are (a .png that holds HTML or SVG gets no image type)', () => {
    expect(rasterImageType(PNG)).toBe('image/png');
    expect(rasterImageType(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('image/jpeg');
    expect(rasterImageType(enc('GIF89a\x01\x00'))).toBe('image/gif');
    expect(rasterImageType(enc('RIFF\x00\x00\x00\x00WEBPVP8 '))).toBe('image/webp');
    expect(rasterImageType(HTML)).toBeNull();
    expect(rasterImageType(SVG)).toBeNull();
    expect(rasterImageType(new Uint8Array(0))).toBeNull();
    // Labelled as a PNG by name and type, but HTML inside: the kind says image, the bytes say otherwise.
    expect(previewKind('evil.png', 'image/png', HTML)).toBe('image');
    expect(rasterImageType(HTML)).toBeNull();
  });
});
