/**
 * Where the local Ceph RGW started by `scripts/rgw.sh up` is, and the test users' keys.
 *
 * The script writes `<state>/env` (KEY=value lines) once the gateway answers and both users
 * exist, so the file's presence means "up". The state folder is `<repo>/.rgw`, or
 * `$TESSERA_RGW_DIR` (a relative path is taken from the repository root, as the script does).
 * Whether it is up is checked once per run by `requireRgw()` (requirements.ts).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RgwEnv {
  /** `http://127.0.0.1:<port>`: path-style, plain HTTP. */
  endpoint: string;
  /** Always `us-east-1` (RGW accepts any region in the signature; it reports `default`). */
  region: string;
  /** Main test user `tessera-test`. */
  accessKeyId: string;
  secretAccessKey: string;
  /** Second user `tessera-other`, for permission and policy tests. */
  otherAccessKeyId: string;
  otherSecretAccessKey: string;
  /** s3cmd config of the main user: `s3cmd -c <s3cfgPath> ...`. */
  s3cfgPath: string;
  /** Holds `config` and `credentials` (profiles `default` and `other`) for the aws cli. */
  awsConfigDir: string;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The state folder of the local RGW. */
export function rgwStateDir(): string {
  const dir = process.env.TESSERA_RGW_DIR;
  if (!dir) return join(REPO_ROOT, '.rgw');
  return isAbsolute(dir) ? dir : resolve(REPO_ROOT, dir);
}

function parseEnvFile(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
      value = value.slice(1, -1);
    }
    values.set(line.slice(0, eq).replace(/^export\s+/, '').trim(), value);
  }
  return values;
}

/**
 * Reads the RGW's endpoint and keys. Throws when the RGW was not started.
 *
 * @example
 * const env = loadRgwEnv();
 * const client = new S3Client({ endpoint: env.endpoint, credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey } });
 */
export function loadRgwEnv(): RgwEnv {
  const dir = rgwStateDir();
  const file = join(dir, 'env');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`The local Ceph RGW is not running (no ${file}). Start it with \`npm run rgw:up\` (bash scripts/rgw.sh up).`);
  }
  const values = parseEnvFile(text);
  const get = (key: string): string => {
    const value = values.get(key);
    if (!value) throw new Error(`${file} has no ${key}: restart the RGW with \`npm run rgw:down && npm run rgw:up\`.`);
    return value;
  };
  return {
    endpoint: get('TESSERA_S3_ENDPOINT'),
    region: get('TESSERA_S3_REGION'),
    accessKeyId: get('TESSERA_S3_ACCESS_KEY'),
    secretAccessKey: get('TESSERA_S3_SECRET_KEY'),
    otherAccessKeyId: get('TESSERA_S3_OTHER_ACCESS_KEY'),
    otherSecretAccessKey: get('TESSERA_S3_OTHER_SECRET_KEY'),
    s3cfgPath: join(dir, 's3cfg'),
    awsConfigDir: join(dir, 'aws'),
  };
}
