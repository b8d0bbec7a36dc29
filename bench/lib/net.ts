/**
 * Where a benchmark's clients reach the store, and what each of them burns.
 *
 * With TESSERA_BENCH_NET=<lan|wan|home> (`npm run bench -- --net wan`) every
 * client goes through the HTTPS front of `scripts/net.sh` (nginx: HTTP/2 and
 * HTTP/1.1 by ALPN) behind a shaper of this benchmark's own
 * (scripts/shaper.mjs on a free port, the profile's round trip and rates):
 * Tessera in Chromium (which picks HTTP/2), aws with `--ca-bundle`, s3cmd
 * with `--ca-certs` and Python with an SSL context for the CA (all three speak
 * HTTP/1.1). One shaper for every client of the run, so they share one link as
 * they would share a laptop's; none of the shared fronts' other users' traffic
 * goes through it. Without TESSERA_BENCH_NET: plain HTTP on loopback, as before.
 * TESSERA_BENCH_FRONT=h1: the shaper fronts nginx's HTTP/1.1-only front, so
 * Chromium speaks HTTP/1.1 too (6 connections per host), as it does to a
 * store with no HTTP/2 in front of it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../test/helpers/browser';
import { accessLogSince, accessLogSize, loadNetEnv, type NetEnv } from '../../test/helpers/net-env';
import { loadRgwEnv } from '../../test/helpers/rgw-env';
import { cpuByRole } from '../upload-harness/memory';

export const PROFILES: Record<string, { rttMs: number; downMbit: number; upMbit: number }> = {
  lan: { rttMs: 1, downMbit: 1000, upMbit: 1000 },
  wan: { rttMs: 20, downMbit: 1000, upMbit: 1000 },
  home: { rttMs: 40, downMbit: 100, upMbit: 20 },
};

export interface BenchNet {
  /** `wan`, `home`, ... or `loopback` (plain HTTP, no shaper). */
  profile: string;
  rttMs: number;
  downMbit: number;
  upMbit: number;
  /** The S3 endpoint every client of the run uses. */
  endpoint: string;
  /** CA bundle for the endpoint (undefined on loopback). */
  ca?: string;
  net?: NetEnv;
  /** Arguments for aws (`--endpoint-url`, `--ca-bundle`). */
  awsArgs: string[];
  /** Arguments for s3cmd (host, TLS, CA). */
  s3cmdArgs: string[];
  /** Environment for Python peers (TESSERA_BENCH_ENDPOINT, TESSERA_BENCH_CA). */
  pythonEnv: Record<string, string>;
  /** Chromium that trusts the front's CA (its HOME holds the NSS database). */
  launchBrowser(): Promise<Browser>;
  /**
   * The same Chromium with a fresh regular (not off-the-record) profile: a
   * browser of its own, whose only context is that profile's. Contexts made by
   * `browser.newContext()` are off the record, where Chromium ignores
   * `<link rel="preconnect">` (its loading predictor is off there, as in
   * incognito windows); a user's own profile honours it. With `dir`, the
   * profile in that folder (kept when the browser closes: a returning user's).
   */
  launchRegularContext(dir?: string): Promise<{ context: BrowserContext; close(): Promise<void> }>;
  /** Environment for a Chromium spawned by hand (DetachableChromium). */
  chromiumEnv: NodeJS.ProcessEnv;
  /** The shaper's CPU seconds since this benchmark set up its network (a shared shaper has served earlier benchmarks of the run). */
  shaperCpu(): number;
  /** One header line: the path, the profile and how the clients share it. */
  describe(): string;
  close(): Promise<void>;
}

const TICK = 100;

function procCpu(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICK;
  } catch {
    return 0;
  }
}

/** Start a shaper of our own in front of nginx's HTTP/2 front; resolves with its port. */
function startShaper(to: string, p: { rttMs: number; downMbit: number; upMbit: number }): Promise<{ child: ChildProcess; port: number }> {
  const script = join(import.meta.dirname, '../../scripts/shaper.mjs');
  const child = spawn(process.execPath, [script, '--listen', '0', '--to', to, '--rtt-ms', String(p.rttMs), '--down-mbit', String(p.downMbit), '--up-mbit', String(p.upMbit)], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      if (line) resolve({ child, port: (JSON.parse(line) as { listening: number }).listening });
    });
    child.once('exit', (code) => reject(new Error(`shaper exited (${code})`)));
  });
}

/**
 * Chromium's arguments; TESSERA_BENCH_NETLOG=<file> adds a net log (sockets, HTTP/2 sessions, preconnects) of the run,
 * TESSERA_BENCH_CHROMIUM_ARGS more switches, one per line (for a diagnosis, e.g. `--js-flags=--no-liftoff`).
 */
function chromiumArgs(): string[] {
  const log = process.env.TESSERA_BENCH_NETLOG;
  const extra = (process.env.TESSERA_BENCH_CHROMIUM_ARGS ?? '').split('\n').map((a) => a.trim()).filter(Boolean);
  return [...CHROMIUM_ARGS, ...(log ? [`--log-net-log=${log}`] : []), ...extra];
}

async function regularContext(env?: NodeJS.ProcessEnv, kept?: string): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const dir = kept ?? mkdtempSync(join(tmpdir(), 'tessera-bench-profile-'));
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args: chromiumArgs(), headless: true, ...(env ? { env } : {}) });
  return {
    context,
    close: async () => {
      await context.close();
      if (!kept) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function benchNet(): Promise<BenchNet> {
  const rgw = loadRgwEnv();
  const profile = process.env.TESSERA_BENCH_NET;
  if (!profile || profile === 'loopback') {
    return {
      profile: 'loopback',
      rttMs: 0,
      downMbit: 0,
      upMbit: 0,
      endpoint: rgw.endpoint,
      awsArgs: ['--endpoint-url', rgw.endpoint],
      s3cmdArgs: [],
      pythonEnv: { TESSERA_BENCH_ENDPOINT: rgw.endpoint },
      launchBrowser: () => chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs(), headless: true }),
      launchRegularContext: (dir?: string) => regularContext(undefined, dir),
      chromiumEnv: process.env,
      shaperCpu: () => 0,
      describe: () => `Network: plain HTTP on loopback to ${rgw.endpoint} (no TLS, no shaping).`,
      close: async () => undefined,
    };
  }
  const p = PROFILES[profile];
  if (!p) throw new Error(`unknown profile ${profile} (lan, wan, home)`);
  const net = loadNetEnv();
  // `npm run bench -- --net X` starts one shaper for the whole run (scripts/bench.sh); alone, a benchmark starts its own.
  const shared = process.env.TESSERA_BENCH_SHAPER_PORT && process.env.TESSERA_BENCH_SHAPER_PID;
  // TESSERA_BENCH_FRONT=h1: through nginx's HTTP/1.1-only front, as a store without HTTP/2 (Ceph RGW alone) is reached.
  const h1 = process.env.TESSERA_BENCH_FRONT === 'h1';
  const front = h1 ? net.nginxH1 : net.nginxH2;
  const { child, port } = shared ? { child: undefined, port: Number(process.env.TESSERA_BENCH_SHAPER_PORT) } : await startShaper(front, p);
  const shaperPid = child?.pid ?? Number(process.env.TESSERA_BENCH_SHAPER_PID);
  // Never leave it behind, whatever way the benchmark ends.
  if (child) process.once('exit', () => child.kill());
  const shaperCpu0 = procCpu(shaperPid);
  const host = `127.0.0.1:${port}`;
  const endpoint = `https://${host}`;
  const chromiumEnv = { ...process.env, HOME: net.nssHome };
  return {
    profile,
    ...p,
    endpoint,
    ca: net.ca,
    net,
    awsArgs: ['--endpoint-url', endpoint, '--ca-bundle', net.ca],
    s3cmdArgs: [`--host=${host}`, `--host-bucket=${host}`, '--ssl', '--check-certificate', `--ca-certs=${net.ca}`],
    pythonEnv: { TESSERA_BENCH_ENDPOINT: endpoint, TESSERA_BENCH_CA: net.ca },
    launchBrowser: () => chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs(), headless: true, env: chromiumEnv }),
    launchRegularContext: (dir?: string) => regularContext(chromiumEnv, dir),
    chromiumEnv,
    shaperCpu: () => procCpu(shaperPid) - shaperCpu0,
    describe: () =>
      `Network: every client through one shaper (${p.rttMs} ms round trip, ${p.downMbit} Mbit/s down, ${p.upMbit} up; ${endpoint}) in front of nginx's TLS front (${front}) to the RGW. ` +
      (h1
        ? 'That front speaks HTTP/1.1 only (TESSERA_BENCH_FRONT=h1): every client, Chromium included, uses HTTP/1.1.'
        : 'Chromium negotiates HTTP/2 there (ALPN); aws, s3cmd and Python speak HTTP/1.1 over the same TLS front: the protocol each client can use is part of what is compared.'),
    close: async () => {
      if (!child) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** CPU seconds of Chromium's processes (summed), of the waited-for peer processes, and of this driver. */
export function cpuNow(): { chromium: number; peers: number; driver: number } {
  const r = cpuByRole();
  let c = 0;
  for (const [k, v] of Object.entries(r)) if (k.startsWith('chromium')) c += v;
  const u = process.cpuUsage();
  return { chromium: c, peers: r['peer cli'] ?? 0, driver: (u.user + u.system) / 1e6 };
}

export function cpuSince(a: ReturnType<typeof cpuNow>): { chromium: number; peers: number; driver: number } {
  const b = cpuNow();
  return { chromium: b.chromium - a.chromium, peers: b.peers - a.peers, driver: b.driver - a.driver };
}

/** Where nginx's shared access log ends now (0 on loopback). */
export function logMark(bn: BenchNet): number {
  return bn.net ? accessLogSize() : 0;
}

/**
 * The requests nginx logged for `bucket` since `mark`, by protocol and method
 * ("12 HTTP/2.0 GET, 3 HTTP/2.0 OPTIONS"). The log is shared with everyone using
 * the fronts: only this bucket's lines count.
 */
export function requestsSince(bn: BenchNet, mark: number, bucket: string): string {
  if (!bn.net) return '';
  const byKind = new Map<string, number>();
  for (const l of accessLogSince(mark)) {
    if (!l.uri.startsWith(`/${bucket}`)) continue;
    const k = `${l.protocol} ${l.method}`;
    byKind.set(k, (byKind.get(k) ?? 0) + 1);
  }
  return [...byKind].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
}
