/**
 * Bucket names the user opened, remembered per endpoint (never credentials):
 * listing all buckets is usually refused to browsers (no CORS on `GET /`).
 */

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const PREFIX = 'tessera.buckets:';
const MAX = 50;

export function rememberedBuckets(store: KeyValueStore, endpointUrl: string): string[] {
  try {
    const raw = JSON.parse(store.getItem(PREFIX + endpointUrl) ?? '[]');
    return Array.isArray(raw) ? raw.filter((b): b is string => typeof b === 'string' && b.trim() !== '') : [];
  } catch {
    return [];
  }
}

export function rememberBucket(store: KeyValueStore, endpointUrl: string, bucket: string): string[] {
  if (!bucket.trim()) return rememberedBuckets(store, endpointUrl);
  const list = [bucket, ...rememberedBuckets(store, endpointUrl).filter((b) => b !== bucket)].slice(0, MAX);
  store.setItem(PREFIX + endpointUrl, JSON.stringify(list));
  return list;
}

export function forgetBucket(store: KeyValueStore, endpointUrl: string, bucket: string): string[] {
  const list = rememberedBuckets(store, endpointUrl).filter((b) => b !== bucket);
  store.setItem(PREFIX + endpointUrl, JSON.stringify(list));
  return list;
}
