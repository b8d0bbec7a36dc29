/**
 * Is the shaped network what it says? A bare curl (HTTP/1.1) through the
 * benchmark's shaper (bench/lib/net.ts) and the TLS front of `scripts/net.sh`
 * measures the round-trip time and the rate each way, and this prints them
 * next to the profile's settings, with the shaper's own CPU time. With the
 * fronts up (`bash scripts/net.sh up`):
 *
 *   TESSERA_BENCH_NET=wan npx tsx bench/net-check.ts    (npm run bench -- --net wan runs it first)
 *
 * Round trip: time to first byte of a tiny GET on an open TLS connection,
 * minus the same GET's time to first byte straight from the RGW (the store's
 * own time). Rates: bytes over the transfer time after the first byte (down,
 * a GET) and over the whole request (up, a presigned PUT).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '../src/lib/s3/client';
import { resolveEndpoint } from '../src/lib/s3/endpoint';
import { GetObject, PutObject } from '../src/lib/s3/ops/index';
import { loadNetEnv } from '../test/helpers/net-env';
import { benchNet } from './lib/net';
import { loadRgwEnv } from '../test/helpers/rgw-env';
import { createBucket, destroyBucket, rgwClient, uniqueBucket } from '../test/helpers/s3';

process.env.TESSERA_BENCH_NET ??= loadNetEnv().profile;
const bn = await benchNet();
const net = { ca: bn.ca!, profile: bn.profile, rttMs: bn.rttMs, downMbit: bn.downMbit, upMbit: bn.upMbit, h1: bn.endpoint };
const rgw = loadRgwEnv();
const MB = 1e6;

function client(endpoint: string): S3Client {
  return new S3Client({ endpoint: resolveEndpoint(endpoint, { region: rgw.region }).endpoint, credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey } });
}

/** curl's timings (seconds) for one or more URLs on one connection. */
function curl(args: string[]): Record<string, number>[] {
  const out = execFileSync('curl', ['-s', '--http1.1', '--cacert', net.ca, '-w', '%{json}\\n', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, number>);
}

const shaperCpu = () => bn.shaperCpu();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (got: number, want: number) => (want ? `${(((got - want) / want) * 100).toFixed(1)} %` : 'n/a');

const bucket = uniqueBucket('netcheck');
const tmp = join(tmpdir(), `tessera-netcheck-${process.pid}`);
await createBucket(bucket);
try {
  const down = randomBytes(Math.round(Math.min(200, Math.max(20, net.downMbit / 2)) * MB));
  const up = randomBytes(Math.round(Math.min(100, Math.max(5, net.upMbit / 4)) * MB));
  await rgwClient().send(PutObject, { bucket, key: 'tiny', body: 'x' });
  await rgwClient().send(PutObject, { bucket, key: 'down', body: down });
  writeFileSync(tmp, up);
  const front = client(net.h1);
  const direct = client(rgw.endpoint);
  const tiny = await front.presign(GetObject.build({ bucket, key: 'tiny' }), 600);
  const tinyDirect = await direct.presign(GetObject.build({ bucket, key: 'tiny' }), 600);
  const cpu0 = shaperCpu();

  // Five tiny GETs on one connection: the first pays the handshakes.
  const through = curl(Array.from({ length: 6 }, () => ['-o', '/dev/null', tiny]).flat()).slice(1);
  const straight = curl(Array.from({ length: 6 }, () => ['-o', '/dev/null', tinyDirect]).flat()).slice(1);
  const rttMs = (median(through.map((t) => t.time_starttransfer! - t.time_pretransfer!)) - median(straight.map((t) => t.time_starttransfer! - t.time_pretransfer!))) * 1000;

  const downUrl = await front.presign(GetObject.build({ bucket, key: 'down' }), 600);
  const downs = [0, 1, 2].map(() => curl(['-o', '/dev/null', downUrl])[0]!).map((t) => (t.size_download! * 8) / (t.time_total! - t.time_starttransfer!) / 1e6);
  const upUrl = await front.presign(PutObject.build({ bucket, key: 'up', body: new Uint8Array(0) }), 600);
  const ups = [0, 1, 2].map(() => curl(['-o', '/dev/null', '-T', tmp, upUrl])[0]!).map((t) => (t.size_upload! * 8) / (t.time_total! - t.time_pretransfer!) / 1e6);
  const cpu = shaperCpu() - cpu0;

  console.log(`Shaped network check (profile ${net.profile}), medians of curl runs through ${net.h1} (HTTP/1.1):`);
  console.table([
    { what: 'round trip (ms)', set: net.rttMs, measured: Number(rttMs.toFixed(1)), off: pct(rttMs, net.rttMs) },
    { what: 'down (Mbit/s)', set: net.downMbit || 'unlimited', measured: Number(median(downs).toFixed(1)), off: pct(median(downs), net.downMbit) },
    { what: 'up (Mbit/s)', set: net.upMbit || 'unlimited', measured: Number(median(ups).toFixed(1)), off: pct(median(ups), net.upMbit) },
  ]);
  console.log(`Shaper CPU during the check: ${cpu.toFixed(2)} s for ${((3 * (down.length + up.length)) / MB).toFixed(0)} MB relayed.`);
} finally {
  rmSync(tmp, { force: true });
  await destroyBucket(bucket);
  await bn.close();
}
