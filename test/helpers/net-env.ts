/**
 * The HTTPS fronts and the shaped network of `scripts/net.sh` (nginx with
 * HTTP/2 and HTTP/1.1 in front of the local RGW, a user-space shaper in front
 * of nginx): where they are, how to trust them, and what they logged.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './browser';

export interface NetEnv {
  /** `https://127.0.0.1:<port>`: HTTP/2 and HTTP/1.1 offered by ALPN. */
  h2: string;
  /** `https://127.0.0.1:<port>`: HTTP/1.1 only. */
  h1: string;
  /** nginx's HTTP/2 front itself (host:port), behind the shaper: for a shaper of a test's own. */
  nginxH2: string;
  /** nginx's HTTP/1.1-only front itself (host:port), behind the shaper. */
  nginxH1: string;
  /** The throw-away CA that signed the fronts' certificate. */
  ca: string;
  /** A HOME whose NSS database trusts that CA (Chromium on Linux reads ~/.pki/nssdb). */
  nssHome: string;
  /** nginx's log: "<protocol> <method> <uri> <status>" per request. */
  accessLog: string;
  profile: string;
  rttMs: number;
  downMbit: number;
  upMbit: number;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function netStateDir(): string {
  const dir = process.env.TESSERA_NET_DIR;
  if (!dir) return join(REPO_ROOT, '.net');
  return isAbsolute(dir) ? dir : resolve(REPO_ROOT, dir);
}

/** The fronts' settings; throws with the command to run when they are not up. */
export function loadNetEnv(): NetEnv {
  const file = join(netStateDir(), 'env');
  if (!existsSync(file)) throw new Error(`The HTTPS fronts are not up (no ${file}): run \`bash scripts/net.sh up\` after \`npm run rgw:up\`, or run \`npm test\`.`);
  const v = new Map(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
  );
  const get = (k: string) => {
    const x = v.get(k);
    if (x === undefined) throw new Error(`${file} has no ${k}: restart the fronts with \`bash scripts/net.sh up\`.`);
    return x;
  };
  return {
    h2: get('TESSERA_NET_H2'),
    h1: get('TESSERA_NET_H1'),
    ca: get('TESSERA_NET_CA'),
    nginxH2: get('TESSERA_NET_NGINX_H2'),
    nginxH1: get('TESSERA_NET_NGINX_H1'),
    nssHome: get('TESSERA_NET_NSS_HOME'),
    accessLog: get('TESSERA_NET_ACCESS_LOG'),
    profile: get('TESSERA_NET_PROFILE'),
    rttMs: Number(get('TESSERA_NET_RTT_MS')),
    downMbit: Number(get('TESSERA_NET_DOWN_MBIT')),
    upMbit: Number(get('TESSERA_NET_UP_MBIT')),
  };
}

/**
 * Debian's Chromium trusting the fronts' CA through an NSS database of its
 * own (its HOME), with certificate checks left on for everything else.
 */
export async function launchBrowserOverNet(): Promise<Browser> {
  const net = loadNetEnv();
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/install-deps.sh (Debian package chromium).`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, env: { ...process.env, HOME: net.nssHome } });
}

/** Lines nginx logged since `from` (a byte offset taken with `accessLogSize`). */
export function accessLogSince(from: number): { protocol: string; method: string; uri: string; status: number }[] {
  const text = readFileSync(loadNetEnv().accessLog).subarray(from).toString('utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [protocol, method, uri, status] = l.split(' ');
      return { protocol: protocol!, method: method!, uri: uri!, status: Number(status) };
    });
}

export function accessLogSize(): number {
  const f = loadNetEnv().accessLog;
  return existsSync(f) ? readFileSync(f).length : 0;
}
