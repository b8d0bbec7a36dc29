/**
 * Runs the real peer clients (s3cmd, aws cli) against the local Ceph RGW, for interop tests:
 * what Tessera writes they must read, and the other way round.
 *
 * Both resolve with the exit code instead of rejecting on failure. Assert on `code`, not on
 * error text: Debian's aws 2.9.19 crashes while printing RGW's error bodies (their `<Message>`
 * is empty), so its stderr on failure is a Python traceback rather than the S3 error.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadRgwEnv } from './rgw-env';

export interface CliResult {
  /** Exit status; -1 when the process was killed (see `signal`). */
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Whose keys to use: `tessera-test` (default) or `tessera-other`. */
  user?: 'main' | 'other';
  /** Written to the client's stdin (e.g. `aws s3 cp - s3://b/k`). */
  input?: string | Uint8Array;
  cwd?: string;
  /** Kill the client after this long (default 5 minutes). */
  timeoutMs?: number;
  /** Extra environment variables for the client. */
  env?: Record<string, string>;
}

const MAX_BUFFER = 512 * 1024 * 1024;

/** Prefer Debian's binaries: another `aws` (or Python) may come first on PATH. */
function systemBinary(name: string): string {
  const path = `/usr/bin/${name}`;
  return existsSync(path) ? path : name;
}

/**
 * Both clients are Python programs run by /usr/bin/python3; a PYTHONPATH meant for another
 * Python must not leak into them, nor must AWS_* credentials of the developer's shell
 * (environment credentials beat the credentials file in the aws cli).
 */
function cleanEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('AWS_') || key === 'PYTHONPATH' || key === 'PYTHONHOME') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, options: CliOptions): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      file,
      args,
      { env, cwd: options.cwd, maxBuffer: MAX_BUFFER, timeout: options.timeoutMs ?? 300_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const failure = error as (NodeJS.ErrnoException & { code?: number | string; signal?: NodeJS.Signals | null }) | null;
        if (failure && typeof failure.code === 'string') {
          // Spawn failure (ENOENT, EACCES) or ERR_CHILD_PROCESS_STDIO_MAXBUFFER: not an exit code.
          reject(new Error(`${file} ${args.join(' ')}: ${failure.message}`, { cause: error }));
          return;
        }
        const code = failure ? (typeof failure.code === 'number' ? failure.code : -1) : 0;
        resolvePromise({ code, signal: failure?.signal ?? null, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/**
 * Runs `s3cmd -c <state>/s3cfg ...args` (path-style, plain HTTP, SigV4).
 *
 * @example
 * const r = await s3cmd(['put', localFile, `s3://${bucket}/data.bin`]);
 * expect(r.code).toBe(0);
 */
export function s3cmd(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const env = loadRgwEnv();
  const keys =
    options.user === 'other' ? [`--access_key=${env.otherAccessKeyId}`, `--secret_key=${env.otherSecretAccessKey}`] : [];
  return run(systemBinary('s3cmd'), ['-c', env.s3cfgPath, ...keys, ...args], cleanEnv(options.env), options);
}

/**
 * Runs Debian's aws cli, `/usr/bin/aws --endpoint-url <endpoint> ...args`, with the config and
 * credentials files of the state folder. aws 2.9 ignores `endpoint_url` in its config file,
 * hence the flag (left out when `args` already has one).
 *
 * @example
 * const r = await aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'a.txt']);
 * expect(JSON.parse(r.stdout).ContentLength).toBe(5);
 */
export function aws(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const env = loadRgwEnv();
  const endpoint = args.some((a) => a === '--endpoint-url' || a.startsWith('--endpoint-url='))
    ? []
    : ['--endpoint-url', env.endpoint];
  const childEnv = cleanEnv({
    AWS_CONFIG_FILE: join(env.awsConfigDir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(env.awsConfigDir, 'credentials'),
    AWS_PROFILE: options.user === 'other' ? 'other' : 'default',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...options.env,
  });
  return run(systemBinary('aws'), [...endpoint, ...args], childEnv, options);
}
