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

/** INI sections (`[name]`), `key = value` lines, and AWS's indented sub-keys (`s3 =\n  endpoint_url = ...`). */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  let parent = '';
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(raw) || !raw.trim()) continue;
    const sec = /^\s*\[([^\]]+)\]\s*$/.exec(raw);
    if (sec) {
      // A section named twice (credentials and config pasted together) is one section.
      const name = sec[1]!.trim();
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      parent = '';
      continue;
    }
    if (!current) continue;
    const eq = raw.indexOf('=');
    if (eq < 0) continue;
    const key = raw.slice(0, eq).trim().toLowerCase();
    const value = raw.slice(eq + 1).trim();
    const indented = /^\s+/.test(raw);
    if (!indented && value === '') parent = key;
    else if (indented && parent) current.set(`${parent}.${key}`, value);
    else {
      parent = '';
      current.set(key, value);
    }
  }
  return sections;
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
  const warnings: string[] = [];
  const profiles: ImportedProfile[] = [];
  for (const [name, s] of parseIni(text)) {
    const accessKeyId = s.get('access_key') ?? '';
    const secretAccessKey = s.get('secret_key') ?? '';
    if (!accessKeyId || !secretAccessKey) {
      warnings.push(`[${name}] has no access_key/secret_key.`);
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

export function importJasminJson(obj: Record<string, unknown>, name = 'JASMIN'): ImportResult {
  const warnings: string[] = [];
  const notes: string[] = [];
  const token = String(obj.token ?? obj.access_key ?? '');
  const secret = String(obj.secret ?? obj.secret_key ?? '');
  if (!token || !secret) return { format: 'jasmin-json', profiles: [], warnings: ['The JSON has no "token" and "secret".'] };
  const endpoint = resolved(String(obj.endpoint_url ?? ''), undefined, notes, warnings, 'endpoint_url');
  if (!obj.endpoint_url) warnings.push('The JSON has no "endpoint_url": give the tenancy name or endpoint.');
  const tenancy = /^https?:\/\/([a-z0-9-]+)-o\.s3/i.exec(endpoint)?.[1];
  return { format: 'jasmin-json', profiles: [{ name: tenancy ?? name, endpoint, accessKeyId: token, secretAccessKey: secret, source: 'jasmin-json', notes }], warnings };
}

export function importMcConfig(obj: Record<string, unknown>): ImportResult {
  const warnings: string[] = [];
  const profiles: ImportedProfile[] = [];
  const aliases = (obj.aliases ?? obj.hosts) as Record<string, Record<string, unknown>> | undefined;
  for (const [alias, a] of Object.entries(aliases ?? {})) {
    const accessKeyId = String(a.accessKey ?? '');
    const secretAccessKey = String(a.secretKey ?? '');
    // mc ships aliases with placeholder or empty keys (play, local, gcs): skip the keyless ones.
    if (!accessKeyId || !secretAccessKey) {
      warnings.push(`Alias "${alias}" has no keys; skipped.`);
      continue;
    }
    const notes: string[] = [];
    const endpoint = resolved(String(a.url ?? ''), undefined, notes, warnings, `alias ${alias}`);
    if (a.path === 'dns') notes.push(`Alias "${alias}" uses virtual-host addressing in mc; Tessera uses path-style by default.`);
    profiles.push({ name: alias, endpoint, accessKeyId, secretAccessKey, sessionToken: a.sessionToken ? String(a.sessionToken) : undefined, source: 'mc-config', notes });
  }
  return { format: 'mc-config', profiles, warnings };
}

/** `~/.aws/credentials` and/or `~/.aws/config` (pasted one after the other, or either alone). */
export function importAws(text: string): ImportResult {
  const warnings: string[] = [];
  const sections = parseIni(text);
  const creds = new Map<string, Map<string, string>>();
  const config = new Map<string, Map<string, string>>();
  for (const [name, s] of sections) {
    const profile = name.replace(/^profile\s+/, '');
    if (s.has('aws_access_key_id')) creds.set(profile, new Map([...(creds.get(profile) ?? []), ...s]));
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
    profiles.push({ name: name === 'default' ? 'aws' : name, endpoint, region, accessKeyId: c.get('aws_access_key_id')!, secretAccessKey: c.get('aws_secret_access_key') ?? '', sessionToken: c.get('aws_session_token') || undefined, source: 'aws', notes });
  }
  for (const p of profiles) if (!p.secretAccessKey) warnings.push(`[${p.name}] has no aws_secret_access_key.`);
  if (!creds.size) warnings.push('No [profile] with aws_access_key_id: paste ~/.aws/credentials too.');
  return { format: 'aws', profiles: profiles.filter((p) => p.secretAccessKey), warnings };
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
