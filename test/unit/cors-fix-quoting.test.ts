import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { corsFix } from '../../src/lib/explain';

/** Run the `and run:` lines of a fix with s3cmd and aws replaced by functions that print their arguments. */
function argsOf(fix: string): string[][] {
  const lines = fix.split('\n').filter((l) => l.startsWith('and run:  ')).map((l) => l.slice('and run:  '.length));
  const script = `s3cmd() { printf '%s\\0' "$@"; printf '\\n'; }; aws() { printf '%s\\0' "$@"; printf '\\n'; }\n${lines.join('\n')}\n`;
  execFileSync('bash', ['-n', '-c', script]);
  return execFileSync('bash', ['-c', script], { env: { PATH: '/usr/bin:/bin' } })
    .toString()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\0').slice(0, -1));
}

describe('the CORS fix commands', () => {
  it('name exactly the bucket and endpoint, whatever they hold', () => {
    for (const [bucket, endpoint] of [
      ['my.bucket', 'https://t-o.s3-ext.jc.rl.ac.uk'],
      ["it's$(touch x)", 'http://127.0.0.1:7480/?a=1&b=`id`'],
      ['-rf', 'https://h; rm -rf ~'],
    ]) {
      const [s3cmd, aws] = argsOf(corsFix(bucket!, 'http://127.0.0.1:5173', endpoint!));
      expect(s3cmd).toEqual(['setcors', 'rules.xml', `s3://${bucket}`]);
      expect(aws).toEqual(['s3api', 'put-bucket-cors', '--endpoint-url', endpoint, `--bucket=${bucket}`, '--cors-configuration', 'file://cors.json']);
    }
  });
});
