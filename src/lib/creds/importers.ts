/**
 * Read the credential files users already have, pasted or dropped:
 * s3cmd's `~/.s3cfg`, the JASMIN JSON `{token, secret, endpoint_url}`, the
 * MinIO client's `config.json` aliases, and `~/.aws/credentials` + `config`.
 * Each becomes a profile (endpoint resolved as Tessera uses it, with notes on
 * any rewrite such as JASMIN's internal host). Pure functions, no storage.
 */
import { resolveEndpoint } from '../s3/endpoint';

export type ImportFormat = 's3cfg' | 'jasmin-json' | 'mc-config' | 'aws';

export interface ImportedProfile {
  name: string;
  /** Resolved endpoint URL ('' when the file named none: the user must give it). */
  endpoint: string;
  region?: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  source: ImportFormat;
  notes: string[];
}

export interface ImportResult {
  format: ImportFormat;
  profiles: ImportedProfile[];
  /** Problems in plain words (a section without keys, an unreadable endpoint...). */
  warnings: string[];
}

/** An INI file read line by line, remembering where each section starts and which lines meant nothing. */
export interface IniFile {
  sections: Map<string, Map<string, string>>;
  /** 1-based line number of each section's first `[name]` header. */
  sectionLines: Map<string, number>;
  /** Lines that were neither a comment, a section, nor `key = value` inside a section. */
  unused: { line: number; text: string }[];
}

/** INI sections (`[name]`), `key = value` lines, and AWS's indented sub-keys (`s3 =\n  endpoint_url = ...`). */
export function readIni(text: string): IniFile {
  const sections = new Map<string, Map<string, string>>();
  const sectionLines = new Map<string, number>();
  const unused: IniFile['unused'] = [];
  let current: Map<string, string> | null = null;
  let parent = '';
  text.split(/\r?\n/).forEach((raw, i) => {
    if (/^\s*[#;]/.test(raw) || !raw.trim()) return;
    const sec = /^\s*\[([^\]]+)\]\s*$/.exec(raw);
    if (sec) {
      // A section named twice (credentials and config pasted together) is one section.
      const name = sec[1]!.trim();
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      if (!sectionLines.has(name)) sectionLines.set(name, i + 1);
      parent = '';
      return;
    }
    const eq = raw.indexOf('=');
    if (!current || eq < 0) {
      unused.push({ line: i + 1, text: raw });
      return;
    }
    const key = raw.slice(0, eq).trim().toLowerCase();
    const value = raw.slice(eq + 1).trim();
    const indented = /^\s+/.test(raw);
    if (!indented && value === '') {
      // Either the head of AWS sub-keys (`s3 =`) or a setting left empty: keep both readings.
      parent = key;
      current.set(key, '');
    } else if (indented && parent) current.set(`${parent}.${key}`, value);
    else {
      parent = '';
      current.set(key, value);
    }
  });
  return { sections, sectionLines, unused };
}

export function parseIni(text: string): Map<string, Map<string, string>> {
  return readIni(text).sections;
}

/** Names whose values are secrets (`secret_key`, `aws_session_token`, `access_token`, passwords...). */
const SECRET_NAME = /secret|token|pass|signature|credential/i;
/** A run of characters that could be a key or a secret pasted on its own. */
const SECRET_LIKE = /[A-Za-z0-9/+=_-]{12,}/g;

/**
 * A line as it can be shown back to the user: the value of a secret-named
 * setting is hidden, and so is anything long enough to be a key pasted alone,
 * since a line we could not read may be exactly that.
 */
export function redactLine(text: string): string {
  const t = text.trim();
  const named = /^([A-Za-z0-9_.-]*)(\s*[=:]?\s*)(.*)$/.exec(t);
  if (named && SECRET_NAME.test(named[1]!) && named[3]) return `${named[1]}${named[2]}[hidden]`;
  return t.replace(SECRET_LIKE, '[hidden]');
}

function unusedLines(ini: IniFile, what: string): string[] {
  return ini.unused.map(({ line, text }) => `Line ${line} ("${redactLine(text).slice(0, 80)}") is not ${what}; it was left out.`);
}

/** `a`, `a and b`, `a, b and c`. */
function andList(items: string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function resolved(input: string, region: string | undefined, notes: string[], warnings: string[], label: string): string {
  if (!input) return '';
  try {
    const r = resolveEndpoint(input, { region });
    notes.push(...r.notes);
    return r.endpoint.url;
  } catch (e) {
    warnings.push(`${label}: ${(e as Error).message}`);
    return '';
  }
}

export function importS3cfg(text: string): ImportResult {
  const ini = readIni(text);
  const warnings = unusedLines(ini, 'a [section] or a "key = value" line inside one');
  const profiles: ImportedProfile[] = [];
  for (const [name, s] of ini.sections) {
    const accessKeyId = s.get('access_key') ?? '';
    const secretAccessKey = s.get('secret_key') ?? '';
    const missing = (['access_key', 'secret_key'] as const).filter((k) => !s.get(k)).map((k) => (s.has(k) ? `an empty ${k}` : `no ${k}`));
    if (missing.length) {
      warnings.push(`[${name}] (line ${ini.sectionLines.get(name)}) has ${andList(missing)}; it was left out.`);
      continue;
    }
    const host = s.get('host_base') ?? '';
    const https = !/^(false|no|0|off)$/i.test(s.get('use_https') ?? 'True');
    const notes: string[] = [];
    if (!https) notes.push('This s3cmd profile uses plain HTTP (use_https = False).');
    const region = s.get('bucket_location') && !/^us$/i.test(s.get('bucket_location')!) ? s.get('bucket_location') : undefined;
    const endpoint = host ? resolved(/^[a-z]+:\/\//i.test(host) ? host : `${https ? 'https' : 'http'}://${host}`, region, notes, warnings, `[${name}] host_base`) : '';
    if (!host) warnings.push(`[${name}] has no host_base: s3cmd then talks to AWS. Give the endpoint.`);
    profiles.push({ name: name === 'default' ? 's3cmd' : name, endpoint, region, accessKeyId, secretAccessKey, sessionToken: s.get('access_token') || undefined, source: 's3cfg', notes });
  }
  return { format: 's3cfg', profiles, warnings };
}

/** A text field of a JSON object under any of its names; `''` when absent, empty or not text. */
function textField(obj: Record<string, unknown>, names: string[]): { value: string; problem?: string } {
  const name = names.find((n) => obj[n] !== undefined && obj[n] !== null);
  if (name === undefined) return { value: '', problem: `no "${names[0]}"` };
  const v = obj[name];
  if (typeof v !== 'string') return { value: '', problem: `a "${name}" that is not text` };
  if (!v.trim()) return { value: '', problem: `an empty "${name}"` };
  return { value: v.trim() };
}

export function importJasminJson(obj: Record<string, unknown>, name = 'JASMIN'): ImportResult {
  const warnings: string[] = [];
  const notes: string[] = [];
  // The Object Store Portal calls the access key "token"; some copies use s3cmd's names.
  const token = textField(obj, ['token', 'access_key']);
  const secret = textField(obj, ['secret', 'secret_key']);
  const problems = [token.problem, secret.problem].filter((p): p is string => !!p);
  if (problems.length) return { format: 'jasmin-json', profiles: [], warnings: [`The JSON has ${andList(problems)}.`] };
  const endpointUrl = textField(obj, ['endpoint_url']);
  const endpoint = resolved(endpointUrl.value, undefined, notes, warnings, 'endpoint_url');
  if (endpointUrl.problem) warnings.push(`The JSON has ${endpointUrl.problem}: give the tenancy name or endpoint.`);
  const tenancy = /^https?:\/\/([a-z0-9-]+)-o\.s3/i.exec(endpoint)?.[1];
  return { format: 'jasmin-json', profiles: [{ name: tenancy ?? name, endpoint, accessKeyId: token.value, secretAccessKey: secret.value, source: 'jasmin-json', notes }], warnings };
}

export function importMcConfig(obj: Record<string, unknown>): ImportResult {
  const warnings: string[] = [];
  const profiles: ImportedProfile[] = [];
  const aliases = (obj.aliases ?? obj.hosts) as Record<string, unknown> | undefined;
  for (const [alias, value] of Object.entries(aliases ?? {})) {
    if (!value || typeof value !== 'object') {
      warnings.push(`Alias "${alias}" is not an object with url, accessKey and secretKey; it was left out.`);
      continue;
    }
    const a = value as Record<string, unknown>;
    const access = textField(a, ['accessKey']);
    const secret = textField(a, ['secretKey']);
    // mc ships aliases with placeholder or empty keys (play, local, gcs): skip the keyless ones.
    const problems = [access.problem, secret.problem].filter((p): p is string => !!p);
    if (problems.length) {
      warnings.push(`Alias "${alias}" has ${andList(problems)}; it was left out.`);
      continue;
    }
    const accessKeyId = access.value;
    const secretAccessKey = secret.value;
    const notes: string[] = [];
    const url = textField(a, ['url']);
    const endpoint = resolved(url.value, undefined, notes, warnings, `Alias "${alias}" url`);
    if (url.problem) warnings.push(`Alias "${alias}" has ${url.problem}: give the endpoint.`);
    if (a.path === 'dns') notes.push(`Alias "${alias}" uses virtual-host addressing in mc; Tessera uses path-style by default.`);
    profiles.push({ name: alias, endpoint, accessKeyId, secretAccessKey, sessionToken: a.sessionToken ? String(a.sessionToken) : undefined, source: 'mc-config', notes });
  }
  return { format: 'mc-config', profiles, warnings };
}

/** `~/.aws/credentials` and/or `~/.aws/config` (pasted one after the other, or either alone). */
export function importAws(text: string): ImportResult {
  const ini = readIni(text);
  const warnings = unusedLines(ini, 'a [profile] or a "key = value" line inside one');
  const creds = new Map<string, Map<string, string>>();
  const config = new Map<string, Map<string, string>>();
  const lineOf = new Map<string, number>();
  for (const [name, s] of ini.sections) {
    const profile = name.replace(/^profile\s+/, '');
    if (!lineOf.has(profile)) lineOf.set(profile, ini.sectionLines.get(name)!);
    if (s.has('aws_access_key_id')) creds.set(profile, new Map([...(creds.get(profile) ?? []), ...s]));
    else if (s.has('aws_secret_access_key')) warnings.push(`[${name}] (line ${ini.sectionLines.get(name)}) has aws_secret_access_key but no aws_access_key_id; it was left out.`);
    if (name.startsWith('profile ') || s.has('region') || s.has('endpoint_url') || s.has('s3.endpoint_url')) config.set(profile, new Map([...(config.get(profile) ?? []), ...s]));
  }
  const profiles: ImportedProfile[] = [];
  for (const [name, c] of creds) {
    const cfg = config.get(name) ?? new Map<string, string>();
    const notes: string[] = [];
    const region = cfg.get('region') ?? c.get('region');
    const ep = cfg.get('s3.endpoint_url') ?? cfg.get('endpoint_url') ?? c.get('endpoint_url') ?? '';
    const endpoint = ep ? resolved(ep, region, notes, warnings, `[${name}] endpoint_url`) : region ? `https://s3.${region}.amazonaws.com` : '';
    if (!ep) notes.push(region ? 'No endpoint_url: using AWS S3 in the profile region.' : 'No endpoint_url and no region: give the endpoint.');
    const missing = [!c.get('aws_access_key_id') && 'an empty aws_access_key_id', !c.get('aws_secret_access_key') && 'no aws_secret_access_key'].filter((m): m is string => !!m);
    if (missing.length) {
      warnings.push(`[${name}] (line ${lineOf.get(name)}) has ${andList(missing)}; it was left out.`);
      continue;
    }
    profiles.push({ name: name === 'default' ? 'aws' : name, endpoint, region, accessKeyId: c.get('aws_access_key_id')!, secretAccessKey: c.get('aws_secret_access_key')!, sessionToken: c.get('aws_session_token') || undefined, source: 'aws', notes });
  }
  if (!creds.size) warnings.push('No [profile] with aws_access_key_id: paste ~/.aws/credentials too.');
  return { format: 'aws', profiles, warnings };
}

/** Recognise the format of a pasted or dropped text and import it. */
export function importCredentials(text: string): ImportResult {
  const t = text.trim();
  if (!t) throw new TypeError('Paste or drop a credentials file.');
  if (t.startsWith('{')) {
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(t) as Record<string, unknown>;
    } catch (e) {
      throw new TypeError(`This looks like JSON but cannot be read: ${(e as Error).message}`, { cause: e });
    }
    if (obj.aliases || obj.hosts) return importMcConfig(obj);
    if ('token' in obj || 'secret' in obj || 'endpoint_url' in obj) return importJasminJson(obj);
    throw new TypeError('This JSON is neither JASMIN keys ({token, secret, endpoint_url}) nor an mc config.json (aliases).');
  }
  if (/^\s*aws_access_key_id\s*=/im.test(t) || /^\s*\[profile\s/im.test(t)) return importAws(t);
  if (/^\s*(access_key|secret_key|host_base)\s*=/im.test(t)) return importS3cfg(t);
  throw new TypeError('Not a credentials file Tessera knows: expected ~/.s3cfg, JASMIN JSON, mc config.json or ~/.aws/credentials.');
}
