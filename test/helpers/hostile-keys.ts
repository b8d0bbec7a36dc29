/**
 * Object keys that break naive S3 clients: URL syntax, XML syntax, HTML,
 * unicode, whitespace, control characters, dot segments, doubled slashes and
 * the 1,024-byte maximum. Shared by the core, interop and browser tests.
 */
export const HOSTILE_KEYS: string[] = [
  'plain.txt',
  'with space.txt',
  'plus+sign.txt',
  'percent%20literal.txt',
  'encoded%2Fslash',
  'tilde~file',
  'double//slash',
  'a/../b',
  '../escape-attempt',
  './dot-start',
  'ends-with-dots/..',
  'question?mark#hash',
  '<script>alert(1)</script>',
  'xml & "quotes" \'apos\' <lt> >gt',
  'emoji 😀/ünïcödé/日本語.nc',
  'leading and trailing ',
  ' leading space',
  'tab\tand\nnewline',
  'control\u0001char',
  'semicolon;comma,equals=colon:at@dollar$',
  '[brackets]{braces}(parens)!*\'',
  'back\\slash',
  'a'.repeat(1024),
  `${'é'.repeat(511)}x`, // two-byte characters up to 1,023 bytes
];
