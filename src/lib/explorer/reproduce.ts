/**
 * "Reproduce in code": the `s3cmd`, `mc`, `aws` and Python (`s3fs`/xarray)
 * lines that do what the user just did in Tessera, with the right endpoint and
 * never a secret (keys are read from the tool's own config or environment).
 */

export type Action =
  | { kind: 'ls'; bucket: string; prefix: string }
  | { kind: 'du'; bucket: string; prefix: string }
  | { kind: 'find'; bucket: string; prefix: string; needle: string }
  | { kind: 'info'; bucket: string; key: string }
  | { kind: 'get'; bucket: string; key: string }
  | { kind: 'get-recursive'; bucket: string; prefix: string }
  | { kind: 'put'; bucket: string; key: string; file: string }
  | { kind: 'rm'; bucket: string; keys: string[]; prefixes: string[] }
  | { kind: 'cp' | 'mv'; sourceBucket: string; source: string; targetBucket: string; target: string }
  | { kind: 'presign'; bucket: string; key: string; seconds: number }
  | { kind: 'mb'; bucket: string }
  | { kind: 'set-metadata'; bucket: string; key: string; contentType: string; metadata: Record<string, string> }
  | { kind: 'open-zarr'; bucket: string; path: string };

export interface Snippet {
  tool: 's3cmd' | 'mc' | 'aws' | 'python';
  /** The whole text to copy. */
  code: string;
  /**
   * The set-up lines and the commands apart, so that `combine` can state the
   * set-up once without cutting a command: a quoted key may span lines.
   */
  parts?: { setup: string; commands: string[] };
}

export interface ReproduceContext {
  /** Endpoint URL, e.g. `https://tenancy-o.s3-ext.jc.rl.ac.uk`. */
  endpoint: string;
  anonymous: boolean;
}

/**
 * One word for POSIX shells: single quotes keep everything literal (spaces,
 * `$`, backticks, newlines...) and a single quote is written `'\''`. Quoting
 * does not stop a tool from reading a word that starts with `-` as an option:
 * callers put such values in an `s3://` URL, after `--`, or in `--opt=value`.
 */
export function sh(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A Python string literal for any string: quotes, backslashes, control and
 * invisible characters are escaped, so the literal survives copy and paste and
 * shows what it holds (no bidirectional override can reorder the line), and a
 * lone surrogate, which no UTF-8 source can carry, becomes `\udXXX`.
 */
export function py(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (INVISIBLE.test(ch) || (c >= 0xd800 && c <= 0xdfff)) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}
/** Line and paragraph separators, bidirectional controls, zero-width characters and the BOM. */
const INVISIBLE = /[\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/u;

const PY_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);

/**
 * Whether `name` can be written as `name=value` and mean exactly `name`. Only
 * ASCII: Python folds other identifiers with NFKC (`ﬁ` would mean `fi`).
 */
export function isPythonName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !PY_KEYWORDS.has(name);
}

/** A Python dict literal; `values` are Python expressions already. */
export function pyDict(entries: [string, string][]): string {
  return `{${entries.map(([k, v]) => `${py(k)}: ${v}`).join(', ')}}`;
}

/**
 * Keyword arguments `a=1, b=2`, or `**{"a-b": 1}` when a name is not a plain
 * Python name or is one of the function's own parameters (`taken`).
 */
export function pyKeywords(entries: [string, string][], taken: readonly string[] = []): string {
  if (!entries.length) return '';
  return entries.every(([k]) => isPythonName(k) && !taken.includes(k)) ? entries.map(([k, v]) => `${k}=${v}`).join(', ') : `**${pyDict(entries)}`;
}

/** An integer as source text, whatever number the page held (an empty field gives 0). */
export function int(n: number): string {
  return String(Number.isFinite(n) ? Math.trunc(n) : 0);
}

const uri = (bucket: string, key = ''): string => sh(`s3://${bucket}/${key}`);
/** `--name=value` as one word: the value cannot be read as an option even if it starts with `-`. */
const opt = (name: string, value: string): string => `${name}=${sh(value)}`;
/** A local path no tool can take for an option (`-` alone means stdin to s3cmd). */
const localPath = (path: string): string => sh(path.startsWith('-') ? `./${path}` : path);

/** The file name a download is saved under: the key's last segment, never `.`, `..` or empty. */
function downloadName(key: string): string {
  const name = key.split('/').pop() ?? '';
  return name === '' || name === '.' || name === '..' ? 'object' : name;
}

function s3cmdBase(ctx: ReproduceContext): string {
  let host = ctx.endpoint;
  let http = false;
  try {
    const u = new URL(ctx.endpoint);
    host = u.host + u.pathname.replace(/\/$/, '');
    http = u.protocol === 'http:';
  } catch {
    // No connection yet: show the endpoint as given rather than no line at all.
  }
  return `s3cmd ${opt('--host', host)} ${opt('--host-bucket', host)}${http ? ' --no-ssl' : ''}`;
}

function awsBase(ctx: ReproduceContext): string {
  return `aws --endpoint-url ${sh(ctx.endpoint)}${ctx.anonymous ? ' --no-sign-request' : ''}`;
}

const MC_ALIAS = 'tessera';
function mcSetup(ctx: ReproduceContext): string {
  return ctx.anonymous
    ? `mc alias set ${MC_ALIAS} ${sh(ctx.endpoint)} '' ''   # anonymous`
    : `mc alias set ${MC_ALIAS} ${sh(ctx.endpoint)}   # asks for your access key and secret`;
}
const mcPath = (bucket: string, key = ''): string => sh(`${MC_ALIAS}/${bucket}/${key}`);

function pySetup(ctx: ReproduceContext): string {
  return ctx.anonymous
    ? `import s3fs\nfs = s3fs.S3FileSystem(anon=True, client_kwargs={"endpoint_url": ${py(ctx.endpoint)}})`
    : `import os, s3fs\n# keys from the environment (or ~/.aws/credentials): never paste them into code\nfs = s3fs.S3FileSystem(key=os.environ["AWS_ACCESS_KEY_ID"], secret=os.environ["AWS_SECRET_ACCESS_KEY"],\n                       client_kwargs={"endpoint_url": ${py(ctx.endpoint)}})`;
}

function snippet(tool: Snippet['tool'], setup: string, ...commands: string[]): Snippet {
  return { tool, code: [setup, ...commands].filter(Boolean).join('\n'), parts: { setup, commands } };
}

export function reproduce(action: Action, ctx: ReproduceContext): Snippet[] {
  const s = s3cmdBase(ctx);
  const a = awsBase(ctx);
  const s3cmd = (...lines: string[]): Snippet => snippet('s3cmd', '', ...lines);
  const aws = (...lines: string[]): Snippet => snippet('aws', '', ...lines);
  const mc = (...lines: string[]): Snippet => snippet('mc', mcSetup(ctx), ...lines);
  const p = (...lines: string[]): Snippet => snippet('python', pySetup(ctx), ...lines);
  const at = (bucket: string, key: string): string => py(`${bucket}/${key}`);
  switch (action.kind) {
    case 'ls':
      return [
        s3cmd(`${s} ls ${uri(action.bucket, action.prefix)}`),
        mc(`mc ls ${mcPath(action.bucket, action.prefix)}`),
        aws(`${a} s3 ls ${uri(action.bucket, action.prefix)}`),
        p(`fs.ls(${at(action.bucket, action.prefix)}, detail=True)`),
      ];
    case 'du':
      return [
        s3cmd(`${s} du ${uri(action.bucket, action.prefix)}`),
        mc(`mc du ${mcPath(action.bucket, action.prefix)}`),
        aws(`${a} s3 ls --recursive --summarize ${uri(action.bucket, action.prefix)} | tail -2`),
        p(`fs.du(${at(action.bucket, action.prefix)})`),
      ];
    case 'find':
      return [
        s3cmd(`${s} ls -r ${uri(action.bucket, action.prefix)} | grep -F -i -- ${sh(action.needle)}`),
        // The pattern starts with `*`, so it cannot be read as an option.
        mc(`mc find ${mcPath(action.bucket, action.prefix)} --name ${sh(`*${action.needle}*`)}`),
        aws(`${a} s3 ls --recursive ${uri(action.bucket, action.prefix)} | grep -F -i -- ${sh(action.needle)}`),
        p(`[k for k in fs.find(${at(action.bucket, action.prefix)}) if ${py(action.needle.toLowerCase())} in k.lower()]`),
      ];
    case 'info':
      return [
        s3cmd(`${s} info ${uri(action.bucket, action.key)}`),
        mc(`mc stat ${mcPath(action.bucket, action.key)}`),
        aws(`${a} s3api head-object ${opt('--bucket', action.bucket)} ${opt('--key', action.key)}`),
        p(`fs.info(${at(action.bucket, action.key)})`),
      ];
    case 'get': {
      const name = downloadName(action.key);
      return [
        s3cmd(`${s} get ${uri(action.bucket, action.key)} ${localPath(name)}`),
        mc(`mc cp ${mcPath(action.bucket, action.key)} ${localPath(name)}`),
        aws(`${a} s3 cp ${uri(action.bucket, action.key)} ${localPath(name)}`),
        p(`fs.get(${at(action.bucket, action.key)}, ${py(name)})`),
      ];
    }
    case 'get-recursive':
      return [
        s3cmd(`${s} get -r ${uri(action.bucket, action.prefix)} ./`),
        mc(`mc cp --recursive ${mcPath(action.bucket, action.prefix)} ./`),
        aws(`${a} s3 cp --recursive ${uri(action.bucket, action.prefix)} ./`),
        p(`fs.get(${at(action.bucket, action.prefix)}, "./", recursive=True)`),
      ];
    case 'put':
      return [
        s3cmd(`${s} put ${localPath(action.file)} ${uri(action.bucket, action.key)}`),
        mc(`mc cp ${localPath(action.file)} ${mcPath(action.bucket, action.key)}`),
        aws(`${a} s3 cp ${localPath(action.file)} ${uri(action.bucket, action.key)}`),
        p(`fs.put(${py(action.file)}, ${at(action.bucket, action.key)})`),
      ];
    case 'rm': {
      const targets = [...action.keys.map((k) => ({ k, r: false })), ...action.prefixes.map((k) => ({ k, r: true }))];
      return [
        s3cmd(...targets.map((t) => `${s} del${t.r ? ' -r' : ''} ${uri(action.bucket, t.k)}`)),
        mc(...targets.map((t) => `mc rm${t.r ? ' --recursive --force' : ''} ${mcPath(action.bucket, t.k)}`)),
        aws(...targets.map((t) => `${a} s3 rm${t.r ? ' --recursive' : ''} ${uri(action.bucket, t.k)}`)),
        p(...targets.map((t) => `fs.rm(${at(action.bucket, t.k)}${t.r ? ', recursive=True' : ''})`)),
      ];
    }
    case 'cp':
    case 'mv': {
      const rec = action.source.endsWith('/') || action.source === '';
      const r = (flag: string): string => (rec ? ` ${flag}` : '');
      const from = uri(action.sourceBucket, action.source);
      const to = uri(action.targetBucket, action.target);
      return [
        s3cmd(`${s} ${action.kind}${r('-r')} ${from} ${to}`),
        mc(`mc ${action.kind}${r('--recursive')} ${mcPath(action.sourceBucket, action.source)} ${mcPath(action.targetBucket, action.target)}`),
        aws(`${a} s3 ${action.kind}${r('--recursive')} ${from} ${to}`),
        p(`fs.${action.kind === 'cp' ? 'copy' : 'mv'}(${at(action.sourceBucket, action.source)}, ${at(action.targetBucket, action.target)}${rec ? ', recursive=True' : ''})`),
      ];
    }
    case 'presign': {
      const seconds = Number.isFinite(action.seconds) ? Math.trunc(action.seconds) : 0;
      return [
        s3cmd(`${s} signurl ${uri(action.bucket, action.key)} +${seconds}`),
        mc(`mc share download --expire ${Math.round(seconds / 60)}m ${mcPath(action.bucket, action.key)}`),
        aws(`${a} s3 presign ${uri(action.bucket, action.key)} --expires-in ${seconds}`),
        p(`fs.sign(${at(action.bucket, action.key)}, expiration=${seconds})`),
      ];
    }
    case 'mb':
      return [s3cmd(`${s} mb ${uri(action.bucket)}`), mc(`mc mb ${mcPath(action.bucket)}`), aws(`${a} s3 mb ${uri(action.bucket)}`), p(`fs.mkdir(${py(action.bucket)})`)];
    case 'set-metadata': {
      const meta = Object.entries(action.metadata);
      const headers = meta.map(([k, v]) => ` ${opt('--add-header', `x-amz-meta-${k}:${v}`)}`).join('');
      // mc cannot copy an object onto itself unchanged: an empty --attr still asks for a rewrite.
      const attr = meta.map(([k, v]) => `${k}=${v}`).join(';') || ' ';
      const metadata = meta.length ? ` ${opt('--metadata', JSON.stringify(action.metadata))}` : '';
      // Metadata names are HTTP header names (`a-b`), rarely Python names: `**{...}` keeps them exact.
      const kw = pyKeywords(meta.map(([k, v]) => [k, py(v)]), ['path', 'copy_kwargs']);
      return [
        s3cmd(`${s} modify ${opt('--mime-type', action.contentType)}${headers} ${uri(action.bucket, action.key)}`),
        mc(`mc cp ${opt('--attr', attr)} ${mcPath(action.bucket, action.key)} ${mcPath(action.bucket, action.key)}`),
        aws(
          `${a} s3api copy-object ${opt('--bucket', action.bucket)} ${opt('--key', action.key)} ${opt('--copy-source', `${action.bucket}/${action.key}`)} --metadata-directive REPLACE ${opt('--content-type', action.contentType)}${metadata}`,
        ),
        p(`fs.setxattr(${at(action.bucket, action.key)}, copy_kwargs={"ContentType": ${py(action.contentType)}}${kw ? `, ${kw}` : ''})`),
      ];
    }
    case 'open-zarr':
      return [
        p('import xarray as xr', `ds = xr.open_zarr(s3fs.S3Map(${at(action.bucket, action.path.replace(/\/$/, ''))}, s3=fs), consolidated=True)`, 'print(ds)'),
        aws(`${a} s3 ls --recursive ${uri(action.bucket, action.path)} | head`),
      ];
  }
}

/**
 * Merge snippets of several actions per tool: the set-up once, then each
 * command once, in order. Commands are kept whole, never split into lines: a
 * quoted key with a newline spans two lines of one command.
 */
export function combine(...lists: Snippet[][]): Snippet[] {
  const merged = new Map<Snippet['tool'], { setup: string; commands: string[] }>();
  for (const list of lists) {
    for (const s of list) {
      const parts = s.parts ?? { setup: '', commands: [s.code] };
      const hit = merged.get(s.tool);
      if (!hit) merged.set(s.tool, { setup: parts.setup, commands: [...parts.commands] });
      else {
        // A different set-up (another endpoint) cannot be shared: keep it with its commands.
        const more = parts.setup === hit.setup ? parts.commands : [[parts.setup, ...parts.commands].join('\n')];
        for (const c of more) if (!hit.commands.includes(c)) hit.commands.push(c);
      }
    }
  }
  return [...merged].map(([tool, { setup, commands }]) => snippet(tool, setup, ...commands));
}
