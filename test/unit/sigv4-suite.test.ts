/**
 * Our signer (aws4fetch configured by src/lib/s3/signer.ts) against the
 * official AWS SigV4 known-answer vectors in test/fixtures/sigv4-suite (see
 * its PROVENANCE.md). The vectors use service `service` with paths encoded
 * once (aws4fetch's `singleEncode`); S3 differs only in path handling (no
 * normalisation, keys decoded then encoded once), which the integration tests
 * prove against the real RGW.
 */
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { v4Signer } from '../../src/lib/s3/signer';

const SUITE = join(import.meta.dirname, '../fixtures/sigv4-suite');
const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const TOKEN =
  'AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==';
const NOW = Date.UTC(2015, 7, 30, 12, 36, 0);

/**
 * aws4fetch collapses whitespace in header values but does not unfold an
 * obsolete folded (multi-line) header into comma-joined values as the vector
 * expects. Fetch `Headers` cannot carry folded values anyway and Tessera never
 * sends one; `it.fails` keeps that fact checked. (Repeated headers are joined
 * with "," before signing, as HTTP combines them; that vector passes.)
 */
const KNOWN_DIFFERENT = new Set(['get-header-value-multiline']);

function cases(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const d = join(dir, name);
    if (!statSync(d).isDirectory()) continue;
    if (existsSync(join(d, `${name}.req`))) out.push(d);
    else out.push(...cases(d));
  }
  return out.sort();
}

function parseReq(raw: string) {
  const [head, ...bodyParts] = raw.split('\n\n');
  const lines = head!.split('\n');
  const [method, ...rest] = lines[0]!.split(' ');
  const path = rest.slice(0, -1).join(' ');
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    if (/^\s/.test(line) && headers.length) headers[headers.length - 1]![1] += '\n' + line;
    else {
      const i = line.indexOf(':');
      headers.push([line.slice(0, i), line.slice(i + 1)]);
    }
  }
  return { method: method!, path, headers, body: bodyParts.join('\n\n') };
}

describe('SigV4 official vectors', () => {
  const all = cases(SUITE);
  it('finds the suite', () => expect(all.length).toBeGreaterThanOrEqual(28));

  for (const dir of all) {
    const name = dir.split('/').pop()!;
    const read = (ext: string) => readFileSync(join(dir, `${name}.${ext}`), 'utf8');
    const run = KNOWN_DIFFERENT.has(name) ? it.fails : it;
    run(name, async () => {
      const req = parseReq(read('req'));
      const host = req.headers.find(([k]) => k.toLowerCase() === 'host')![1];
      const headers: Record<string, string> = {};
      let sessionToken: string | undefined;
      for (const [k, v] of req.headers) {
        const lk = k.toLowerCase();
        if (lk === 'host' || lk === 'x-amz-date') continue;
        if (lk === 'x-amz-security-token') {
          sessionToken = v;
          continue;
        }
        headers[k] = k in headers ? `${headers[k]},${v}` : v;
      }
      const after = name === 'post-sts-header-after';
      if (after) sessionToken = TOKEN;
      const signer = v4Signer(
        { method: req.method, url: `https://${host}${req.path}`, headers, region: 'us-east-1', credentials: { ...CREDS, sessionToken }, now: NOW },
        false,
        { service: 'service', body: req.body, allHeaders: true, appendSessionToken: after, singleEncode: true },
      );
      expect(await signer.canonicalString()).toBe(read('creq'));
      expect(await signer.stringToSign()).toBe(read('sts'));
      expect(await signer.authHeader()).toBe(read('authz'));
    });
  }
});
