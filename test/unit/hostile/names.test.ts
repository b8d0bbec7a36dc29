/**
 * Names from a hostile store: download paths that stay inside the chosen
 * folder (and zip entries that extract inside theirs), CSV cells a
 * spreadsheet reads as text rather than formulas, and names shown so a
 * bidirectional override cannot disguise an extension.
 */
import { describe, expect, it } from 'vitest';
import { localPath } from '../../../src/lib/explorer/download-tree';
import { planZip } from '../../../src/lib/explorer/zip-download';
import { csvCell } from '../../../src/lib/csv';
import { visibleName } from '../../../src/lib/display-name';

const TRAVERSALS = ['../../x', '/etc/x', 'C:\\x', 'a/./b', 'a//b', '..', '.', 'a/../../b', '..\\..\\x', 'nul\u0000byte', 'a/\u0000/b', '...', 'con:stream', '\\\\server\\share\\x', 'c:/windows/x'];

/** What a zip extractor or a file system would make of the segments: it must stay below the root. */
function staysInside(parts: string[]): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what must not survive
  return parts.length > 0 && parts.every((p) => p !== '' && !/^\.+$/.test(p) && !/[\\/:\u0000-\u001f]/.test(p));
}

describe('download paths', () => {
  it.each(TRAVERSALS)('keeps %j inside the chosen folder', (key) => {
    const parts = localPath(key, '');
    if (parts.length) expect(staysInside(parts)).toBe(true);
  });

  it('names the zip entries of hostile keys inside the zip, numbering collisions', () => {
    const plan = planZip(TRAVERSALS.map((key) => ({ key, size: 1, lastModified: '2026-01-01T00:00:00Z', etag: 'e' })), '');
    for (const e of plan.entries) expect(staysInside(e.name.split('/')), e.name).toBe(true);
    const names = plan.entries.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('etc/x');
    expect(names).toContain('C%3A%5Cx');
    expect(names).toContain('a/b');
    expect(names).toContain('%2E%2E');
    expect(names).toContain('nul%00byte');
  });

  it('keeps ordinary names, unicode and spaces included, as they are', () => {
    expect(localPath('data/2026 run/é 日本.nc', 'data/')).toEqual(['2026 run', 'é 日本.nc']);
  });
});

describe('CSV cells', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+SUM(A1)', "'+SUM(A1)"],
    ['-cmd|calc', "'-cmd|calc"],
    ['@SUM(1)', "'@SUM(1)"],
    ['\tTAB', "'\tTAB"],
    ['\r=x', "\"'\r=x\""],
    ['=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
    ['-1.5', '-1.5'],
    ['+3', '+3'],
    ['-2e-5', '-2e-5'],
    ['-inf', '-inf'],
    ['12', '12'],
    ['a,b', '"a,b"'],
    ['plain', 'plain'],
  ])('%j becomes %j', (input, out) => {
    expect(csvCell(input)).toBe(out);
  });
});

describe('shown names', () => {
  it('shows bidirectional overrides and invisible characters as marks', () => {
    expect(visibleName('report\u202Efdp.exe')).toBe('report⟨U+202E⟩fdp.exe');
    expect(visibleName('a\u2066b\u2069\u200bc')).toBe('a⟨U+2066⟩b⟨U+2069⟩⟨U+200B⟩c');
    expect(visibleName('<script>')).toBe('<script>');
  });
});
