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
  code: string;
}

export interface ReproduceContext {
  /** Endpoint URL, e.g. `https://tenancy-o.s3-ext.jc.rl.ac.uk`. */
  endpoint: string;
  anonymous: boolean;
}

/** Single-quote for POSIX shells: keys can hold spaces, `$`, quotes, anything. */
export function sh(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A Python string literal. */
export function py(s: string): string {
  return JSON.stringify(s);
}

const uri = (bucket: string, key = ''): string => sh(`s3://${bucket}/${key}`);

function s3cmdBase(ctx: ReproduceContext): string {
  const u = new URL(ctx.endpoint);
  const host = u.host + u.pathname.replace(/\/$/, '');
  return `s3cmd --host=${sh(host)} --host-bucket=${sh(host)}${u.protocol === 'http:' ? ' --no-ssl' : ''}`;
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

export function reproduce(action: Action, ctx: ReproduceContext): Snippet[] {
  const s = s3cmdBase(ctx);
  const a = awsBase(ctx);
  const mc = (line: string): Snippet => ({ tool: 'mc', code: `${mcSetup(ctx)}\n${line}` });
  const p = (line: string): Snippet => ({ tool: 'python', code: `${pySetup(ctx)}\n${line}` });
  switch (action.kind) {
    case 'ls':
      return [
        { tool: 's3cmd', code: `${s} ls ${uri(action.bucket, action.prefix)}` },
        mc(`mc ls ${mcPath(action.bucket, action.prefix)}`),
        { tool: 'aws', code: `${a} s3 ls ${uri(action.bucket, action.prefix)}` },
        p(`fs.ls(${py(`${action.bucket}/${action.prefix}`)}, detail=True)`),
      ];
    case 'du':
      return [
        { tool: 's3cmd', code: `${s} du ${uri(action.bucket, action.prefix)}` },
        mc(`mc du ${mcPath(action.bucket, action.prefix)}`),
        { tool: 'aws', code: `${a} s3 ls --recursive --summarize ${uri(action.bucket, action.prefix)} | tail -2` },
        p(`fs.du(${py(`${action.bucket}/${action.prefix}`)})`),
      ];
    case 'find':
      return [
        { tool: 's3cmd', code: `${s} ls -r ${uri(action.bucket, action.prefix)} | grep -F -i -- ${sh(action.needle)}` },
        mc(`mc find ${mcPath(action.bucket, action.prefix)} --name ${sh(`*${action.needle}*`)}`),
        { tool: 'aws', code: `${a} s3 ls --recursive ${uri(action.bucket, action.prefix)} | grep -F -i -- ${sh(action.needle)}` },
        p(`[k for k in fs.find(${py(`${action.bucket}/${action.prefix}`)}) if ${py(action.needle.toLowerCase())} in k.lower()]`),
      ];
    case 'info':
      return [
        { tool: 's3cmd', code: `${s} info ${uri(action.bucket, action.key)}` },
        mc(`mc stat ${mcPath(action.bucket, action.key)}`),
        { tool: 'aws', code: `${a} s3api head-object --bucket ${sh(action.bucket)} --key ${sh(action.key)}` },
        p(`fs.info(${py(`${action.bucket}/${action.key}`)})`),
      ];
    case 'get': {
      const name = action.key.split('/').pop() || 'object';
      return [
        { tool: 's3cmd', code: `${s} get ${uri(action.bucket, action.key)} ${sh(name)}` },
        mc(`mc cp ${mcPath(action.bucket, action.key)} ${sh(name)}`),
        { tool: 'aws', code: `${a} s3 cp ${uri(action.bucket, action.key)} ${sh(name)}` },
        p(`fs.get(${py(`${action.bucket}/${action.key}`)}, ${py(name)})`),
      ];
    }
    case 'get-recursive':
      return [
        { tool: 's3cmd', code: `${s} get -r ${uri(action.bucket, action.prefix)} ./` },
        mc(`mc cp --recursive ${mcPath(action.bucket, action.prefix)} ./`),
        { tool: 'aws', code: `${a} s3 cp --recursive ${uri(action.bucket, action.prefix)} ./` },
        p(`fs.get(${py(`${action.bucket}/${action.prefix}`)}, "./", recursive=True)`),
      ];
    case 'put':
      return [
        { tool: 's3cmd', code: `${s} put ${sh(action.file)} ${uri(action.bucket, action.key)}` },
        mc(`mc cp ${sh(action.file)} ${mcPath(action.bucket, action.key)}`),
        { tool: 'aws', code: `${a} s3 cp ${sh(action.file)} ${uri(action.bucket, action.key)}` },
        p(`fs.put(${py(action.file)}, ${py(`${action.bucket}/${action.key}`)})`),
      ];
    case 'rm': {
      const targets = [...action.keys.map((k) => ({ k, r: false })), ...action.prefixes.map((k) => ({ k, r: true }))];
      return [
        { tool: 's3cmd', code: targets.map((t) => `${s} del${t.r ? ' -r' : ''} ${uri(action.bucket, t.k)}`).join('\n') },
        mc(targets.map((t) => `mc rm${t.r ? ' --recursive --force' : ''} ${mcPath(action.bucket, t.k)}`).join('\n')),
        { tool: 'aws', code: targets.map((t) => `${a} s3 rm${t.r ? ' --recursive' : ''} ${uri(action.bucket, t.k)}`).join('\n') },
        p(targets.map((t) => `fs.rm(${py(`${action.bucket}/${t.k}`)}${t.r ? ', recursive=True' : ''})`).join('\n')),
      ];
    }
    case 'cp':
    case 'mv': {
      const rec = action.source.endsWith('/') || action.source === '';
      const r = (flag: string): string => (rec ? ` ${flag}` : '');
      return [
        { tool: 's3cmd', code: `${s} ${action.kind}${r('-r')} ${uri(action.sourceBucket, action.source)} ${uri(action.targetBucket, action.target)}` },
        mc(`mc ${action.kind}${r('--recursive')} ${mcPath(action.sourceBucket, action.source)} ${mcPath(action.targetBucket, action.target)}`),
        { tool: 'aws', code: `${a} s3 ${action.kind}${r('--recursive')} ${uri(action.sourceBucket, action.source)} ${uri(action.targetBucket, action.target)}` },
        p(`fs.${action.kind === 'cp' ? 'copy' : 'mv'}(${py(`${action.sourceBucket}/${action.source}`)}, ${py(`${action.targetBucket}/${action.target}`)}${rec ? ', recursive=True' : ''})`),
      ];
    }
    case 'presign':
      return [
        { tool: 's3cmd', code: `${s} signurl ${uri(action.bucket, action.key)} +${action.seconds}` },
        mc(`mc share download --expire ${Math.round(action.seconds / 60)}m ${mcPath(action.bucket, action.key)}`),
        { tool: 'aws', code: `${a} s3 presign ${uri(action.bucket, action.key)} --expires-in ${action.seconds}` },
        p(`fs.sign(${py(`${action.bucket}/${action.key}`)}, expiration=${action.seconds})`),
      ];
    case 'mb':
      return [
        { tool: 's3cmd', code: `${s} mb ${uri(action.bucket)}` },
        mc(`mc mb ${mcPath(action.bucket)}`),
        { tool: 'aws', code: `${a} s3 mb ${uri(action.bucket)}` },
        p(`fs.mkdir(${py(action.bucket)})`),
      ];
    case 'set-metadata': {
      const metaArgs = Object.entries(action.metadata);
      return [
        { tool: 's3cmd', code: `${s} modify --mime-type=${sh(action.contentType)}${metaArgs.map(([k, v]) => ` --add-header=${sh(`x-amz-meta-${k}:${v}`)}`).join('')} ${uri(action.bucket, action.key)}` },
        mc(`mc cp --attr ${sh(metaArgs.map(([k, v]) => `${k}=${v}`).join(';') || ' ')} ${mcPath(action.bucket, action.key)} ${mcPath(action.bucket, action.key)}`),
        {
          tool: 'aws',
          code: `${a} s3api copy-object --bucket ${sh(action.bucket)} --key ${sh(action.key)} --copy-source ${sh(`${action.bucket}/${action.key}`)} --metadata-directive REPLACE --content-type ${sh(action.contentType)}${metaArgs.length ? ` --metadata ${sh(JSON.stringify(action.metadata))}` : ''}`,
        },
        p(`fs.setxattr(${py(`${action.bucket}/${action.key}`)}, copy_kwargs={"ContentType": ${py(action.contentType)}}${metaArgs.map(([k, v]) => `, ${k.replace(/[^A-Za-z0-9_]/g, '_')}=${py(v)}`).join('')})`),
      ];
    }
    case 'open-zarr':
      return [
        {
          tool: 'python',
          code: `${pySetup(ctx)}\nimport xarray as xr\nds = xr.open_zarr(s3fs.S3Map(${py(`${action.bucket}/${action.path.replace(/\/$/, '')}`)}, s3=fs), consolidated=True)\nprint(ds)`,
        },
        { tool: 'aws', code: `${a} s3 ls --recursive ${uri(action.bucket, action.path)} | head` },
      ];
  }
}

/** Merge snippets of several actions per tool, keeping each set-up line once. */
export function combine(...lists: Snippet[][]): Snippet[] {
  const out: Snippet[] = [];
  for (const list of lists) {
    for (const s of list) {
      const hit = out.find((o) => o.tool === s.tool);
      if (!hit) out.push({ ...s });
      else {
        const have = new Set(hit.code.split('\n'));
        hit.code += '\n' + s.code.split('\n').filter((l) => !have.has(l)).join('\n');
      }
    }
  }
  return out;
}
