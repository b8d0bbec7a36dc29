/**
 * Digests for integrity, in WASM (hash-wasm) so they run the same in a worker
 * and in Node: Content-MD5 per part, the multipart ETag the store should
 * compute (MD5 of the parts' binary MD5s, then `-N`), and a whole-file
 * SHA-256 that is fed part by part, in order, and can be saved and restored
 * (hash-wasm `save()`/`load()`) so a resumed upload does not rehash.
 */
import { createMD5, createSHA256, type IHasher } from 'hash-wasm';
import { base64ToHex, hexToBase64 } from '../s3/checksum';

/*
 * One WASM instance per algorithm for the whole worker: each instance holds
 * its own WASM memory, and a folder of thousands of files would exhaust it
 * (Chromium: "Out of memory: Cannot allocate Wasm memory"). Every use below is
 * synchronous between init and digest (or load and save), so sharing is safe.
 */
let md5Hasher: Promise<IHasher> | undefined;
let sha256Hasher: Promise<IHasher> | undefined;

/**
 * Instances lent to one caller at a time, for digests fed across awaits (a
 * part read in chunks): as many as there are concurrent callers in this
 * worker (a handful), each reused, never one per file.
 */
export class HasherPool {
  #free: IHasher[] = [];
  #make: () => Promise<IHasher>;

  constructor(make: () => Promise<IHasher>) {
    this.#make = make;
  }

  async use<T>(fn: (h: IHasher) => Promise<T>): Promise<T> {
    const h = this.#free.pop() ?? (await this.#make());
    try {
      return await fn(h);
    } finally {
      this.#free.push(h);
    }
  }
}

export const md5Pool = new HasherPool(createMD5);
export const sha256Pool = new HasherPool(createSHA256);

/** Hex MD5 of several byte arrays as one stream, on the shared instance. */
export async function md5HexOf(chunks: Uint8Array[]): Promise<string> {
  const h = await (md5Hasher ??= createMD5());
  h.init();
  for (const c of chunks) h.update(c);
  return h.digest('hex');
}

/** Base64 MD5 of `bytes`, as Content-MD5 wants it. */
export async function md5Base64(bytes: Uint8Array): Promise<string> {
  return hexToBase64(await md5HexOf([bytes]));
}

/** The ETag S3 gives a multipart object: hex MD5 of the concatenated binary part MD5s, `-` part count. */
export async function multipartEtag(partMd5sBase64: string[]): Promise<string> {
  const joined = new Uint8Array(partMd5sBase64.length * 16);
  partMd5sBase64.forEach((b64, i) => {
    const hex = base64ToHex(b64);
    for (let j = 0; j < 16; j++) joined[i * 16 + j] = parseInt(hex.slice(j * 2, j * 2 + 2), 16);
  });
  return `${await md5HexOf([joined])}-${partMd5sBase64.length}`;
}

/** Hex MD5 of a part, as the store puts it in the part's ETag. */
export function md5Hex(b64: string): string {
  return base64ToHex(b64);
}

/**
 * Hex SHA-256 of one whole buffer. WebCrypto where there is one (native, about
 * three times hash-wasm's speed here, and off the calling thread); hash-wasm
 * otherwise. Its state cannot be saved, so only for files sent in one PUT.
 */
export async function sha256HexOnce(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle) {
    const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
    let hex = '';
    for (const b of digest) hex += b.toString(16).padStart(2, '0');
    return hex;
  }
  return sha256Digest(await sha256Continue(await sha256Initial(), bytes));
}

let initialState: Promise<Uint8Array> | undefined;

/** A fresh SHA-256 state (the same bytes every time: made once, copied for each caller). */
export async function sha256Initial(): Promise<Uint8Array> {
  initialState ??= (async () => {
    const h = await (sha256Hasher ??= createSHA256());
    h.init();
    return h.save();
  })();
  return (await initialState).slice();
}

/** The SHA-256 state after feeding `bytes` to `state`. */
export async function sha256Continue(state: Uint8Array, bytes: Uint8Array): Promise<Uint8Array> {
  const h = await (sha256Hasher ??= createSHA256());
  h.load(state);
  h.update(bytes);
  return h.save();
}

/** Hex digest of a SHA-256 state. */
export async function sha256Digest(state: Uint8Array): Promise<string> {
  const h = await (sha256Hasher ??= createSHA256());
  h.load(state);
  return h.digest('hex');
}

/**
 * A SHA-256 fed in order, part by part; only its saved state (~100 bytes) is
 * kept, so it survives a reload and a thousand uploads cost a thousand states.
 * The bytes are fed by a `PartHasher` (maybe in another worker) that returns
 * the next state; `advance` records it.
 */
export class RunningSha256 {
  #state: Uint8Array;
  /** Parts 1..through are in the digest. */
  through: number;

  private constructor(state: Uint8Array, through: number) {
    this.#state = state;
    this.through = through;
  }

  static async create(saved?: { through: number; state?: Uint8Array }): Promise<RunningSha256> {
    if (saved?.state && saved.through > 0) return new RunningSha256(saved.state, saved.through);
    return new RunningSha256(await sha256Initial(), 0);
  }

  get state(): Uint8Array {
    return this.#state;
  }

  /** Record the state after part `part` (which must be the next one). */
  advance(part: number, state: Uint8Array): void {
    if (part !== this.through + 1) throw new Error(`SHA-256 must be fed in order: expected part ${this.through + 1}, got ${part}.`);
    this.#state = state;
    this.through = part;
  }

  /** Feed bytes here, in this thread. */
  async update(part: number, bytes: Uint8Array): Promise<void> {
    if (part !== this.through + 1) throw new Error(`SHA-256 must be fed in order: expected part ${this.through + 1}, got ${part}.`);
    this.advance(part, await sha256Continue(this.#state, bytes));
  }

  save(): { through: number; state: Uint8Array } {
    return { through: this.through, state: this.#state };
  }

  digestHex(): Promise<string> {
    return sha256Digest(this.#state);
  }
}

export { hexToBase64 };
