/**
 * One object: its headers (HeadObject) and a quick look at its bytes through
 * ranges. Large objects are never read whole without the user asking.
 */
import type { S3WorkerRemote } from '../rpc/s3';
import { session } from './session.svelte';
import type { ObjectHead } from '../lib/s3/ops/head-object';
import { LOOK_BYTES, PREVIEW_MAX, READ_WHOLE_MAX, previewKind, rasterImageType, type PreviewKind } from '../lib/explorer/preview';

export interface Look {
  kind: PreviewKind;
  /** Which bytes we hold: [start, end) of the object. */
  start: number;
  end: number;
  bytes: Uint8Array;
  /** The whole object is in `bytes`. */
  whole: boolean;
  /** For images: an object URL of the bytes. */
  imageUrl?: string;
}

export class ObjectDetails {
  readonly bucket: string;
  readonly key: string;
  #head = $state.raw<ObjectHead | null>(null);
  #error = $state.raw<Error | null>(null);
  #look = $state.raw<Look | null>(null);
  #lookError = $state.raw<Error | null>(null);
  #reading = $state(false);
  #worker: S3WorkerRemote;

  constructor(bucket: string, key: string, worker: S3WorkerRemote = session.worker) {
    this.#worker = worker;
    this.bucket = bucket;
    this.key = key;
  }

  get head(): ObjectHead | null {
    return this.#head;
  }
  get error(): Error | null {
    return this.#error;
  }
  get look(): Look | null {
    return this.#look;
  }
  get lookError(): Error | null {
    return this.#lookError;
  }
  get reading(): boolean {
    return this.#reading;
  }

  async load(): Promise<void> {
    this.#error = null;
    try {
      this.#head = await this.#worker.objects.head({ bucket: this.bucket, key: this.key });
    } catch (e) {
      this.#error = e as Error;
    }
  }

  /** Whether a first look should read the object whole (small JSON and images). */
  wholeByDefault(): boolean {
    const h = this.#head;
    if (!h) return false;
    const kind = previewKind(this.key, h.contentType);
    return h.size <= LOOK_BYTES || ((kind === 'json' || kind === 'image') && h.size <= READ_WHOLE_MAX);
  }

  /** Read the first or last `LOOK_BYTES`, or everything. */
  async read(which: 'head' | 'tail' | 'whole'): Promise<void> {
    const h = this.#head;
    if (!h) return;
    this.#reading = true;
    this.#lookError = null;
    try {
      let start = 0;
      let end = h.size;
      if (which === 'head') end = Math.min(h.size, LOOK_BYTES);
      if (which === 'tail') start = Math.max(0, h.size - LOOK_BYTES);
      // "Whole" reads at most PREVIEW_MAX: the first bytes of a larger object (the range line says so).
      if (which === 'whole') end = Math.min(h.size, PREVIEW_MAX);
      const whole = start === 0 && end === h.size;
      const r =
        h.size === 0
          ? { bytes: new Uint8Array(0) }
          : await this.#worker.objects.getBytes({ bucket: this.bucket, key: this.key, range: whole ? undefined : { start, end: end - 1 }, ifMatch: h.etag });
      let kind = previewKind(this.key, h.contentType, r.bytes);
      // An image only when the bytes are one (never the store's word for it): the blob: URL is on our origin.
      const imageType = kind === 'image' && start === 0 ? rasterImageType(r.bytes) : null;
      if (kind === 'image' && start === 0 && !imageType) kind = 'hex';
      const look: Look = { kind, start, end: start + r.bytes.length, bytes: r.bytes, whole };
      if (imageType && whole) look.imageUrl = URL.createObjectURL(new Blob([r.bytes as Uint8Array<ArrayBuffer>], { type: imageType }));
      this.dispose();
      this.#look = look;
    } catch (e) {
      this.#lookError = e as Error;
    } finally {
      this.#reading = false;
    }
  }

  dispose(): void {
    if (this.#look?.imageUrl) URL.revokeObjectURL(this.#look.imageUrl);
  }
}
