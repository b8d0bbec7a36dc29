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
 * A SHA-256 fed in order; its state survives a reload. It keeps only the
 * saved state (~100 bytes) and runs on the shared instance, so a thousand
 * uploads at once cost a thousand states, not a thousand WASM memories.
 */
export class RunningSha256 {
  #hasher: IHasher;
  #state: Uint8Array;
  /** Parts 1..through are in the digest. */
  through: number;

  private constructor(hasher: IHasher, state: Uint8Array, through: number) {
    this.#hasher = hasher;
    this.#state = state;
    this.through = through;
  }

  static async create(saved?: { through: number; state?: Uint8Array }): Promise<RunningSha256> {
    const h = await (sha256Hasher ??= createSHA256());
    if (saved?.state && saved.through > 0) return new RunningSha256(h, saved.state, saved.through);
    h.init();
    return new RunningSha256(h, h.save(), 0);
  }

  update(part: number, bytes: Uint8Array): void {
    if (part !== this.through + 1) throw new Error(`SHA-256 must be fed in order: expected part ${this.through + 1}, got ${part}.`);
    this.#hasher.load(this.#state);
    this.#hasher.update(bytes);
    this.#state = this.#hasher.save();
    this.through = part;
  }

  save(): { through: number; state: Uint8Array } {
    return { through: this.through, state: this.#state };
  }

  digestHex(): string {
    this.#hasher.load(this.#state);
    return this.#hasher.digest('hex');
  }
}

export { hexToBase64 };
