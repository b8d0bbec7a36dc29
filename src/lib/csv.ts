/**
 * CSV cells that are safe to open in a spreadsheet. A cell that starts with
 * `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, LibreOffice
 * and Google Sheets as a formula ("CSV injection"), so names and labels
 * that come from a store are prefixed with `'` as OWASP advises. Numbers,
 * negative ones included, are left as numbers; cells holding a comma, a
 * quote or a line break are quoted (RFC 4180).
 *
 * @example
 * csvCell('=HYPERLINK("http://x")') // `"'=HYPERLINK(""http://x"")"`
 * csvCell('-1.5e-3') // `-1.5e-3`
 */

/** A plain decimal or scientific number (what a spreadsheet reads as a number, not a formula). */
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

export function csvCell(value: string): string {
  let s = value;
  if (/^[=+\-@\t\r]/.test(s) && !NUMBER.test(s) && !/^-?(?:inf|Infinity|nan|NaN)$/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
