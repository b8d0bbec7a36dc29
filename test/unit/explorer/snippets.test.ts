/**
 * Every "Reproduce in code" snippet is copied into a terminal or a notebook as
 * is, so each must survive any name a store can hold: it must parse, run no
 * code of its own, and name exactly the same bucket, key and dimension.
 *
 * Shell snippets run under bash with `s3cmd`, `mc`, `aws` and the filters they
 * pipe into replaced by functions that record their arguments; Python snippets
 * are read with `ast` and their calls' literal arguments compared.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOSTILE_KEYS } from '../../helpers/hostile-keys';
import { combine, reproduce, type Action, type ReproduceContext, type Snippet } from '../../../src/lib/explorer/reproduce';
import { pythonSnippet } from '../../../src/lib/zarr/python';
import type { VariableInfo } from '../../../src/lib/zarr/dataset';

/** Names that attack the quoting itself, on top of the shared hostile keys. */
const ATTACKS = [
  '-rf',
  '--help',
  '-',
  '$(touch pwned)',
  '`touch pwned`',
  "'; touch pwned; '",
  '"; touch pwned; "',
  '\\"); __import__("os").system("touch pwned"); ("',
  "'''",
  '"""',
  'trailing\\',
  'a-b',
  'class',
  'drop',
  'indexers',
  'x=1)',
  'ﬁ', // NFKC-folds to "fi" as a Python identifier
  '\r\ncrlf',
  'del\u007f',
  'line\u2028separator',
  '!!',
  '~user',
  '*glob?[x]',
];
const NAMES = [...HOSTILE_KEYS, ...ATTACKS];

/** Bucket names as a user may type them (S3 would refuse most, the snippet must still not break). */
const BUCKETS = ['b', 'my.bucket-1', '-b', "b'q", '$(touch pwned)'];

const CONTEXTS: ReproduceContext[] = [
  { endpoint: 'https://my-tenancy-o.s3-ext.jc.rl.ac.uk', anonymous: false },
  { endpoint: 'http://127.0.0.1:7480', anonymous: true },
];

const sandbox = mkdtempSync(join(tmpdir(), 'tessera-snippets-'));
afterAll(() => {
  // Nothing the snippets ran may have touched the file system.
  expect(readdirSync(sandbox)).toEqual([]);
  rmSync(sandbox, { recursive: true, force: true });
});

// ---------------------------------------------------------------- shell

type Argv = string[];
interface ShellRun {
  syntaxOk: boolean;
  calls: Argv[];
}

const RECORDED = ['s3cmd', 'mc', 'aws', 'grep', 'tail', 'head'];

/**
 * Runs the snippets one after the other in one bash with no PATH (so nothing
 * real can run) and the tools recording their argv on fd 3 (count, then the
 * arguments, NUL-separated). Each tool first reads its stdin to the end, so
 * the right side of a pipe records only after the left side has finished. Each snippet is first defined as a function, which
 * makes bash parse it whole without running it: a snippet that does not parse
 * runs nothing. One shell for all keeps hundreds of snippets fast.
 */
const SHELL_DRIVER = `
exec 3>&1
rec() { printf '%s\\0' "$#" "$@" >&3; }
drain() { while IFS= read -r _; do :; done; }
${RECORDED.map((t) => `${t}() { drain; rec ${t} "$@"; }`).join('\n')}
# The last part of a pipe runs in this shell: one fork less per pipe.
shopt -s lastpipe
PATH=/nonexistent
nl=$'\\n'
while IFS= read -r -d '' s; do
  if eval "__snippet() {$nl$s$nl}" </dev/null >/dev/null 2>&1; then
    printf 'OK\\0'
    __snippet </dev/null >/dev/null 2>&1
  else
    printf 'SYNTAX\\0'
  fi
  printf 'END\\0'
done
`;

function runShell(snippets: string[]): ShellRun[] {
  const r = spawnSync('/bin/bash', ['-c', SHELL_DRIVER], { cwd: sandbox, input: snippets.map((s) => s + '\0').join(''), maxBuffer: 1 << 28, env: { LANG: 'C.UTF-8' } });
  if (r.status !== 0) throw new Error(`bash driver failed: ${r.stderr.toString()}`);
  const tokens = r.stdout.toString('utf8').split('\0');
  const out: ShellRun[] = [];
  let i = 0;
  while (out.length < snippets.length) {
    const status = tokens[i++];
    const run: ShellRun = { syntaxOk: status === 'OK', calls: [] };
    for (let t = tokens[i++]; t !== 'END'; t = tokens[i++]) {
      if (t === undefined || !/^\d+$/.test(t)) throw new Error(`unexpected output from the shell driver near ${JSON.stringify(t)}`);
      const n = Number(t);
      run.calls.push(tokens.slice(i, i + n));
      i += n;
    }
    out.push(run);
  }
  return out;
}

/**
 * `bash -n` over all the snippets at once, each as the body of its own
 * function: one unterminated quote anywhere makes the whole text fail.
 */
function bashSyntaxCheck(snippets: string[]): string {
  const text = snippets.map((s, i) => `__s${i}() {\n${s}\n}\n`).join('');
  const r = spawnSync('/bin/bash', ['-n'], { cwd: sandbox, input: text, maxBuffer: 1 << 28 });
  return r.status === 0 ? '' : r.stderr.toString();
}

/** Options that take a value, which the tools read the same as `--opt value` and `--opt=value`. */
const VALUE_OPTIONS = new Set(['--endpoint-url', '--bucket', '--key', '--copy-source', '--content-type', '--metadata', '--metadata-directive', '--attr', '--expire', '--expires-in', '--name']);

/**
 * One spelling for each option with its value. A value that starts with `-`
 * stays apart: argparse (aws) takes it for an option, so only `--key=-x` is right.
 */
function canonical(argv: Argv): Argv {
  const out: Argv = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    if (VALUE_OPTIONS.has(a) && v !== undefined && !v.startsWith('-')) {
      out.push(`${a}=${v}`);
      i++;
    } else out.push(a);
  }
  return out;
}
const canonicalCalls = (calls: Argv[]): Argv[] => calls.map(canonical);

const uri = (bucket: string, key = ''): string => `s3://${bucket}/${key}`;
const mcPath = (bucket: string, key = ''): string => `tessera/${bucket}/${key}`;
/** A local path the tools cannot take for an option. */
const local = (name: string): string => (name.startsWith('-') ? `./${name}` : name);
const downloadName = (key: string): string => {
  const base = key.split('/').pop() ?? '';
  return base === '' || base === '.' || base === '..' ? 'object' : base;
};

/** What each shell tool must be called with: the meaning of the snippet. */
function expectedShell(action: Action, ctx: ReproduceContext): Partial<Record<Snippet['tool'], Argv[]>> {
  const u = new URL(ctx.endpoint);
  const host = u.host + u.pathname.replace(/\/$/, '');
  const s = ['s3cmd', `--host=${host}`, `--host-bucket=${host}`, ...(u.protocol === 'http:' ? ['--no-ssl'] : [])];
  const a = ['aws', '--endpoint-url', ctx.endpoint, ...(ctx.anonymous ? ['--no-sign-request'] : [])];
  const mcAlias = ['mc', 'alias', 'set', 'tessera', ctx.endpoint, ...(ctx.anonymous ? ['', ''] : [])];
  const grep = (needle: string): Argv => ['grep', '-F', '-i', '--', needle];
  switch (action.kind) {
    case 'ls':
      return { s3cmd: [[...s, 'ls', uri(action.bucket, action.prefix)]], mc: [mcAlias, ['mc', 'ls', mcPath(action.bucket, action.prefix)]], aws: [[...a, 's3', 'ls', uri(action.bucket, action.prefix)]] };
    case 'du':
      return {
        s3cmd: [[...s, 'du', uri(action.bucket, action.prefix)]],
        mc: [mcAlias, ['mc', 'du', mcPath(action.bucket, action.prefix)]],
        aws: [[...a, 's3', 'ls', '--recursive', '--summarize', uri(action.bucket, action.prefix)], ['tail', '-2']],
      };
    case 'find':
      return {
        s3cmd: [[...s, 'ls', '-r', uri(action.bucket, action.prefix)], grep(action.needle)],
        mc: [mcAlias, ['mc', 'find', mcPath(action.bucket, action.prefix), '--name', `*${action.needle}*`]],
        aws: [[...a, 's3', 'ls', '--recursive', uri(action.bucket, action.prefix)], grep(action.needle)],
      };
    case 'info':
      return {
        s3cmd: [[...s, 'info', uri(action.bucket, action.key)]],
        mc: [mcAlias, ['mc', 'stat', mcPath(action.bucket, action.key)]],
        aws: [[...a, 's3api', 'head-object', `--bucket=${action.bucket}`, `--key=${action.key}`]],
      };
    case 'get': {
      const name = local(downloadName(action.key));
      return {
        s3cmd: [[...s, 'get', uri(action.bucket, action.key), name]],
        mc: [mcAlias, ['mc', 'cp', mcPath(action.bucket, action.key), name]],
        aws: [[...a, 's3', 'cp', uri(action.bucket, action.key), name]],
      };
    }
    case 'get-recursive':
      return {
        s3cmd: [[...s, 'get', '-r', uri(action.bucket, action.prefix), './']],
        mc: [mcAlias, ['mc', 'cp', '--recursive', mcPath(action.bucket, action.prefix), './']],
        aws: [[...a, 's3', 'cp', '--recursive', uri(action.bucket, action.prefix), './']],
      };
    case 'put':
      return {
        s3cmd: [[...s, 'put', local(action.file), uri(action.bucket, action.key)]],
        mc: [mcAlias, ['mc', 'cp', local(action.file), mcPath(action.bucket, action.key)]],
        aws: [[...a, 's3', 'cp', local(action.file), uri(action.bucket, action.key)]],
      };
    case 'rm': {
      const t = [...action.keys.map((k) => ({ k, r: false })), ...action.prefixes.map((k) => ({ k, r: true }))];
      return {
        s3cmd: t.map(({ k, r }) => [...s, 'del', ...(r ? ['-r'] : []), uri(action.bucket, k)]),
        mc: [mcAlias, ...t.map(({ k, r }) => ['mc', 'rm', ...(r ? ['--recursive', '--force'] : []), mcPath(action.bucket, k)])],
        aws: t.map(({ k, r }) => [...a, 's3', 'rm', ...(r ? ['--recursive'] : []), uri(action.bucket, k)]),
      };
    }
    case 'cp':
    case 'mv': {
      const rec = action.source === '' || action.source.endsWith('/');
      return {
        s3cmd: [[...s, action.kind, ...(rec ? ['-r'] : []), uri(action.sourceBucket, action.source), uri(action.targetBucket, action.target)]],
        mc: [mcAlias, ['mc', action.kind, ...(rec ? ['--recursive'] : []), mcPath(action.sourceBucket, action.source), mcPath(action.targetBucket, action.target)]],
        aws: [[...a, 's3', action.kind, ...(rec ? ['--recursive'] : []), uri(action.sourceBucket, action.source), uri(action.targetBucket, action.target)]],
      };
    }
    case 'presign':
      return {
        s3cmd: [[...s, 'signurl', uri(action.bucket, action.key), `+${action.seconds}`]],
        mc: [mcAlias, ['mc', 'share', 'download', '--expire', `${Math.round(action.seconds / 60)}m`, mcPath(action.bucket, action.key)]],
        aws: [[...a, 's3', 'presign', uri(action.bucket, action.key), '--expires-in', String(action.seconds)]],
      };
    case 'mb':
      return { s3cmd: [[...s, 'mb', uri(action.bucket)]], mc: [mcAlias, ['mc', 'mb', mcPath(action.bucket)]], aws: [[...a, 's3', 'mb', uri(action.bucket)]] };
    case 'set-metadata': {
      const meta = Object.entries(action.metadata);
      const at = uri(action.bucket, action.key);
      return {
        s3cmd: [[...s, 'modify', `--mime-type=${action.contentType}`, ...meta.map(([k, v]) => `--add-header=x-amz-meta-${k}:${v}`), at]],
        mc: [mcAlias, ['mc', 'cp', `--attr=${meta.map(([k, v]) => `${k}=${v}`).join(';') || ' '}`, mcPath(action.bucket, action.key), mcPath(action.bucket, action.key)]],
        aws: [
          [
            ...a,
            's3api',
            'copy-object',
            `--bucket=${action.bucket}`,
            `--key=${action.key}`,
            `--copy-source=${action.bucket}/${action.key}`,
            '--metadata-directive',
            'REPLACE',
            `--content-type=${action.contentType}`,
            ...(meta.length ? [`--metadata=${JSON.stringify(action.metadata)}`] : []),
          ],
        ],
      };
    }
    case 'open-zarr':
      return { aws: [[...a, 's3', 'ls', '--recursive', uri(action.bucket, action.path)], ['head']] };
  }
}

// ---------------------------------------------------------------- python

interface PyCall {
  /** Dotted callee, `[]` standing for a subscript (whose literal is `index`). */
  func: string;
  index?: unknown;
  args: unknown[];
  kwargs: Record<string, unknown>;
}
interface PyRead {
  error?: string;
  calls: PyCall[];
  strings: string[];
}

/**
 * Parses each snippet with `ast` and lists its calls in source order with
 * their literal arguments; `f(**{...})` and `isel({...})` count as keywords,
 * as Python and xarray treat them.
 */
const PY_READER = String.raw`
import ast, json, sys

def lit(n):
    try:
        return ast.literal_eval(n)
    except Exception:
        return {"expr": ast.unparse(n)}

class Calls(ast.NodeVisitor):
    def __init__(self):
        self.calls, self.strings = [], []
    def name(self, f, call):
        if isinstance(f, ast.Name):
            return f.id
        if isinstance(f, ast.Attribute):
            return self.name(f.value, call) + "." + f.attr
        if isinstance(f, ast.Subscript):
            call["index"] = lit(f.slice)
            return self.name(f.value, call) + "[]"
        if isinstance(f, ast.Call):
            return self.name(f.func, call) + "()"
        return "?" + type(f).__name__
    def visit_Call(self, node):
        call = {"args": [], "kwargs": {}}
        call["func"] = self.name(node.func, call)
        for a in node.args:
            v = lit(a)
            if call["func"].endswith(".isel") and isinstance(v, dict) and "expr" not in v:
                call["kwargs"].update(v)
            else:
                call["args"].append(v)
        for k in node.keywords:
            if k.arg is None:
                v = lit(k.value)
                if isinstance(v, dict) and "expr" not in v:
                    call["kwargs"].update(v)
                else:
                    call["kwargs"]["**"] = v
            else:
                call["kwargs"][k.arg] = lit(k.value)
        self.calls.append(call)
        self.generic_visit(node)
    def visit_Constant(self, node):
        if isinstance(node.value, str):
            self.strings.append(node.value)

out = []
for src in json.loads(sys.stdin.buffer.read().decode("utf-8")):
    try:
        tree = ast.parse(src)
    except SyntaxError as e:
        out.append({"error": str(e), "calls": [], "strings": []})
        continue
    v = Calls()
    v.visit(tree)
    out.append({"calls": v.calls, "strings": v.strings})
sys.stdout.write(json.dumps(out))
`;

function readPython(snippets: string[]): PyRead[] {
  const r = spawnSync('/usr/bin/python3', ['-c', PY_READER], { cwd: sandbox, input: JSON.stringify(snippets), maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`python reader failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString('utf8')) as PyRead[];
}

/** The calls each Python snippet must make after its `s3fs.S3FileSystem` set-up. */
function expectedPython(action: Action): PyCall[] {
  const call = (func: string, args: unknown[], kwargs: Record<string, unknown> = {}): PyCall => ({ func, args, kwargs });
  switch (action.kind) {
    case 'ls':
      return [call('fs.ls', [`${action.bucket}/${action.prefix}`], { detail: true })];
    case 'du':
      return [call('fs.du', [`${action.bucket}/${action.prefix}`])];
    case 'find':
      return [call('fs.find', [`${action.bucket}/${action.prefix}`]), call('k.lower', [])];
    case 'info':
      return [call('fs.info', [`${action.bucket}/${action.key}`])];
    case 'get':
      return [call('fs.get', [`${action.bucket}/${action.key}`, downloadName(action.key)])];
    case 'get-recursive':
      return [call('fs.get', [`${action.bucket}/${action.prefix}`, './'], { recursive: true })];
    case 'put':
      return [call('fs.put', [action.file, `${action.bucket}/${action.key}`])];
    case 'rm':
      return [...action.keys.map((k) => call('fs.rm', [`${action.bucket}/${k}`])), ...action.prefixes.map((k) => call('fs.rm', [`${action.bucket}/${k}`], { recursive: true }))];
    case 'cp':
    case 'mv': {
      const rec = action.source === '' || action.source.endsWith('/');
      return [call(action.kind === 'cp' ? 'fs.copy' : 'fs.mv', [`${action.sourceBucket}/${action.source}`, `${action.targetBucket}/${action.target}`], rec ? { recursive: true } : {})];
    }
    case 'presign':
      return [call('fs.sign', [`${action.bucket}/${action.key}`], { expiration: action.seconds })];
    case 'mb':
      return [call('fs.mkdir', [action.bucket])];
    case 'set-metadata':
      return [call('fs.setxattr', [`${action.bucket}/${action.key}`], { copy_kwargs: { ContentType: action.contentType }, ...action.metadata })];
    case 'open-zarr':
      return [call('xr.open_zarr', [{ expr: 's3fs.S3Map(' }], { consolidated: true }), call('s3fs.S3Map', [`${action.bucket}/${action.path.replace(/\/$/, '')}`], { s3: { expr: 'fs' } }), call('print', [{ expr: 'ds' }])];
  }
}

// ---------------------------------------------------------------- actions

function actionsFor(name: string, bucket: string): Action[] {
  return [
    { kind: 'ls', bucket, prefix: name },
    { kind: 'du', bucket, prefix: `${name}/` },
    { kind: 'find', bucket, prefix: name, needle: name },
    { kind: 'info', bucket, key: name },
    { kind: 'get', bucket, key: name },
    { kind: 'get', bucket, key: `dir/${name}` },
    { kind: 'get-recursive', bucket, prefix: name },
    { kind: 'put', bucket, key: name, file: name },
    { kind: 'rm', bucket, keys: [name, `x/${name}`], prefixes: [`${name}/`] },
    { kind: 'cp', sourceBucket: bucket, source: name, targetBucket: 'other', target: `copy/${name}` },
    { kind: 'mv', sourceBucket: bucket, source: `${name}/`, targetBucket: bucket, target: `${name}2/` },
    { kind: 'presign', bucket, key: name, seconds: 3600 },
    { kind: 'set-metadata', bucket, key: name, contentType: name, metadata: { plain: name, 'a-b': 'x', class: name } },
    { kind: 'open-zarr', bucket, path: `${name}/` },
  ];
}

const cases: { label: string; action: Action; ctx: ReproduceContext }[] = [];
const add = (ctx: ReproduceContext, names: string[], buckets: string[]): void => {
  for (const name of names) for (const action of actionsFor(name, 'b')) cases.push({ label: `${action.kind} ${JSON.stringify(name).slice(0, 60)}`, action, ctx });
  for (const bucket of buckets) {
    cases.push({ label: `mb ${JSON.stringify(bucket)}`, action: { kind: 'mb', bucket }, ctx });
    for (const action of actionsFor('k', bucket)) cases.push({ label: `${action.kind} in bucket ${JSON.stringify(bucket)}`, action, ctx });
  }
};
// Every name through every generator; the other context changes only the set-up lines.
add(CONTEXTS[0]!, NAMES, BUCKETS);
add(CONTEXTS[1]!, ATTACKS.slice(0, 8), BUCKETS.slice(2));


/** Thousands of snippets through bash and Python: seconds, more on a busy machine. */
const SLOW = { timeout: 60_000 };

describe('reproduce snippets with hostile names', () => {
  const generated = cases.map((c) => ({ ...c, snippets: reproduce(c.action, c.ctx) }));

  it('shell lines parse and call each tool with exactly the bucket and key shown', SLOW, () => {
    const shell = generated.flatMap((g) => g.snippets.filter((s) => s.tool !== 'python').map((s) => ({ ...g, snippet: s })));
    const runs = runShell(shell.map((s) => s.snippet.code));
    expect(bashSyntaxCheck(shell.map((s) => s.snippet.code))).toBe('');
    const failures: string[] = [];
    shell.forEach((s, i) => {
      const run = runs[i]!;
      const want = expectedShell(s.action, s.ctx)[s.snippet.tool];
      const where = `${s.snippet.tool} ${s.label}:\n${s.snippet.code}`;
      if (!run.syntaxOk) failures.push(`bash -n refused ${where}`);
      else if (!want) failures.push(`unexpected snippet ${where}`);
      else if (!isDeepStrictEqual(canonicalCalls(run.calls), canonicalCalls(want))) failures.push(`${where}\n  ran  ${JSON.stringify(run.calls)}\n  want ${JSON.stringify(want)}`);
    });
    expect(failures.slice(0, 5).join('\n\n')).toBe('');
    expect(failures).toHaveLength(0);
  });

  it('Python parses and calls s3fs with exactly the bucket, key and metadata shown', SLOW, () => {
    const python = generated.flatMap((g) => g.snippets.filter((s) => s.tool === 'python').map((s) => ({ ...g, snippet: s })));
    const reads = readPython(python.map((p) => p.snippet.code));
    const failures: string[] = [];
    python.forEach((p, i) => {
      const r = reads[i]!;
      const where = `${p.label}:\n${p.snippet.code}`;
      if (r.error) return failures.push(`does not parse (${r.error}) ${where}`);
      const [setup, ...rest] = r.calls;
      const endpoint = (setup?.kwargs.client_kwargs as { endpoint_url?: string } | undefined)?.endpoint_url;
      if (setup?.func !== 's3fs.S3FileSystem' || endpoint !== p.ctx.endpoint) failures.push(`set-up ${JSON.stringify(setup)} in ${where}`);
      const want = expectedPython(p.action).map((c) => (c.args[0] && typeof c.args[0] === 'object' ? { ...c, args: rest.find((x) => x.func === c.func)?.args ?? c.args } : c));
      if (!isDeepStrictEqual(rest, want)) failures.push(`${where}\n  calls ${JSON.stringify(rest)}\n  want  ${JSON.stringify(want)}`);
      if (p.action.kind === 'find' && !r.strings.includes(p.action.needle.toLowerCase())) failures.push(`needle lost in ${where}`);
      return undefined;
    });
    expect(failures.slice(0, 5).join('\n\n')).toBe('');
    expect(failures).toHaveLength(0);
  });

  it('combined snippets keep every line of a multi-line key', () => {
    const key = 'two\nlines';
    const ctx = CONTEXTS[0]!;
    const c = combine(reproduce({ kind: 'info', bucket: 'b', key }, ctx), reproduce({ kind: 'rm', bucket: 'b', keys: [key], prefixes: [] }, ctx), reproduce({ kind: 'info', bucket: 'b', key }, ctx));
    const shell = c.filter((s) => s.tool !== 'python');
    const runs = runShell(shell.map((s) => s.code));
    expect(bashSyntaxCheck(shell.map((s) => s.code))).toBe('');
    shell.forEach((s, i) => {
      expect(runs[i]!.syntaxOk, s.code).toBe(true);
      const all = [...expectedShell({ kind: 'info', bucket: 'b', key }, ctx)[s.tool]!, ...expectedShell({ kind: 'rm', bucket: 'b', keys: [key], prefixes: [] }, ctx)[s.tool]!];
      // Set-up lines and repeated commands appear once, in their first place.
      const want = all.filter((c, j) => all.findIndex((d) => isDeepStrictEqual(c, d)) === j);
      expect(canonicalCalls(runs[i]!.calls)).toEqual(canonicalCalls(want));
    });
  });
});

// ---------------------------------------------------------------- xarray

describe('reproduce in xarray with hostile names', () => {
  const variable = (name: string, dims: string[]): VariableInfo => ({ name, dims, shape: dims.map(() => 4) }) as unknown as VariableInfo;

  it('opens the same store and selects the same dimensions by name', SLOW, () => {
    const cases: { source: Parameters<typeof pythonSnippet>[0]; v: VariableInfo; index: number[]; endpoint?: string; group: string; want: PyCall[] }[] = [];
    for (const name of NAMES) {
      const dims = [name, `${name}2`, 'lat', 'lon'];
      const v = variable(name, dims);
      const isel = { func: 'ds[].isel', index: name, args: [], kwargs: { [name]: 1, [`${name}2`]: 3 } };
      const plot = { func: 'da.plot', args: [], kwargs: { x: 'lon', y: 'lat', robust: true } };
      cases.push({
        source: { kind: 's3', bucket: 'b', path: `${name}/` },
        v,
        index: [1, 3, 0, 0],
        endpoint: 'https://t-o.s3-ext.jc.rl.ac.uk',
        group: name,
        want: [
          { func: 's3fs.S3FileSystem', args: [], kwargs: { anon: false, key: 'YOUR_ACCESS_KEY', secret: 'YOUR_SECRET', client_kwargs: { endpoint_url: 'https://t-o.s3-ext.jc.rl.ac.uk' } } },
          { func: 's3fs.S3Map', args: [], kwargs: { root: `b/${name}`, s3: { expr: 'fs' }, check: false } },
          { func: 'xr.open_zarr', args: [{ expr: 'store' }], kwargs: { group: name } },
          isel,
          plot,
        ],
      });
      // The dimension being drawn may carry the hostile name too.
      cases.push({
        source: { kind: 'url', url: `https://h/b/${name}` },
        v: variable('tas', ['time', name, `${name}2`]),
        index: [2, 0, 0],
        group: '',
        want: [
          { func: 'xr.open_zarr', args: [`https://h/b/${name}`.replace(/\/+$/, '')], kwargs: {} },
          { func: 'ds[].isel', index: 'tas', args: [], kwargs: { time: 2 } },
          { func: 'da.plot', args: [], kwargs: { x: `${name}2`, y: name, robust: true } },
        ],
      });
    }
    const snippets = cases.map((c) => pythonSnippet(c.source, c.v, c.index, c.v.dims.length === 4 ? [2, 3] : [1, 2], c.endpoint, c.group));
    const reads = readPython(snippets);
    const failures: string[] = [];
    cases.forEach((c, i) => {
      const r = reads[i]!;
      if (r.error) failures.push(`does not parse (${r.error}):\n${snippets[i]}`);
      else if (!isDeepStrictEqual(r.calls, c.want)) failures.push(`${snippets[i]}\n  calls ${JSON.stringify(r.calls)}\n  want  ${JSON.stringify(c.want)}`);
    });
    expect(failures.slice(0, 5).join('\n\n')).toBe('');
    expect(failures).toHaveLength(0);
  });

  it('keeps keyword form for plain dimension names', () => {
    const s = pythonSnippet({ kind: 'url', url: 'https://h/b/x.zarr' }, variable('tas', ['time', 'lat', 'lon']), [2, 0, 0], [1, 2]);
    expect(s).toContain('da = ds["tas"].isel(time=2)');
    const d = pythonSnippet({ kind: 'url', url: 'https://h/b/x.zarr' }, variable('tas', ['a-b', 'lat', 'lon']), [2, 0, 0], [1, 2]);
    expect(d).toContain('da = ds["tas"].isel({"a-b": 2})');
  });
});
