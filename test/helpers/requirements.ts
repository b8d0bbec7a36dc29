/**
 * What the integration and end-to-end tests need, checked before any of them
 * runs: the local Ceph RGW, Debian's Chromium, the aws cli, s3cmd, unzip and
 * Python with xarray. A missing piece fails the run with a message that says
 * how to get it, rather than letting tests skip and the run pass with nothing
 * tested.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM } from './browser';
import { rgwStateDir } from './rgw-env';

const START_RGW = 'start it with `npm run rgw:up`, or run `npm test`';
const INSTALL = 'run `bash scripts/install-deps.sh` as root, or run `npm test`';

function pidAlive(pidFile: string): boolean {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0); // signal 0: existence check only
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user (the RGW was started as root).
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function endpointOf(envFile: string): string | undefined {
  return /^\s*(?:export\s+)?TESSERA_S3_ENDPOINT=["']?([^"'\s]+)/m.exec(readFileSync(envFile, 'utf8'))?.[1];
}

/**
 * Throws unless the local RGW is up: its env file exists, the recorded radosgw
 * process lives (a reboot or crash leaves a stale env file behind) and its
 * endpoint answers HTTP.
 */
export async function requireRgw(): Promise<void> {
  const dir = rgwStateDir();
  const envFile = join(dir, 'env');
  if (!existsSync(envFile)) throw new Error(`The local Ceph RGW is not running (no ${envFile}): ${START_RGW}.`);
  const pidFile = join(dir, 'pids', 'rgw');
  if (existsSync(pidFile) && !pidAlive(pidFile)) throw new Error(`The local Ceph RGW is not running (its process in ${pidFile} is gone): ${START_RGW}.`);
  const endpoint = endpointOf(envFile);
  if (!endpoint) throw new Error(`${envFile} names no endpoint: restart the RGW with \`npm run rgw:down && npm run rgw:up\`.`);
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(10_000) }).then((r) => r.body?.cancel());
  } catch (e) {
    throw new Error(`The local Ceph RGW is not running (nothing answers at ${endpoint}: ${(e as Error).message}): ${START_RGW}.`, { cause: e });
  }
}

/** Throws unless Debian's Chromium (or `$TESSERA_CHROMIUM`) is there. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: ${INSTALL}.`);
}

/** Throws unless `/usr/bin/<name>` is there (the Debian packages the interoperability tests compare against). */
export function requireTool(name: 'aws' | 's3cmd' | 'unzip'): void {
  const path = `/usr/bin/${name}`;
  if (!existsSync(path)) throw new Error(`${path} is not installed: ${INSTALL}.`);
}

/** Throws unless /usr/bin/python3 can import xarray and zarr (the Zarr fixtures are written by xarray). */
export function requirePythonXarray(): void {
  // As the fixtures run it: a PYTHONPATH meant for another Python must not decide the answer.
  const env = { ...process.env };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  const r = spawnSync('/usr/bin/python3', ['-c', 'import xarray, zarr'], { encoding: 'utf8', env });
  if (r.error || r.status !== 0) {
    const why = r.error?.message ?? r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`;
    throw new Error(`/usr/bin/python3 with xarray and zarr is needed to write the Zarr fixtures (${why}): ${INSTALL}.`);
  }
}
