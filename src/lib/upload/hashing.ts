/**
 * Digests for integrity, in WASM (hash-wasm) so they run the same in a worker
 * and in Node: Content-MD5 per part, the multipart ETag the store should
 * compute (MD5 of the parts' binary MD5s, then `-N`), and a whole-file
 * SHA-256 that is fed part by part, in order, and can be saved and restored
 * (hash-wasm `save()`/`load()`) so a resumed upload does not rehash.
 */
import { createMD5, createSHA256, type IHasher } from 'hash-wasm';
import { base64ToHex, hexToBase64 } from '../s3/checksum';

let md5Hasher: Promise<IHasher> | undefined;

/** Base64 MD5 of `bytes`, reusing one WASM instance (creating one per part costs more than small parts). */
export async function md5Base64(bytes: Uint8Array): Promise<string> {
  const h = await (md5Hasher ??= createMD5());
  h.init();
  h.update(bytes);
  return hexToBase64(h.digest('hex'));
}

/** The ETag S3 gives a multipart object: hex MD5 of the concatenated binary part MD5s, `-` part count. */
export async function multipartEtag(partMd5sBase64: string[]): Promise<string> {
  const joined = new Uint8Array(partMd5sBase64.length * 16);
  partMd5sBase64.forEach((b64, i) => {
    const hex = base64ToHex(b64);
    for (let j = 0; j < 16; j++) joined[i * 16 + j] = parseInt(hex.slice(j * 2, j * 2 + 2), 16);
  });
  const h = await createMD5();
  h.init();
  h.update(joined);
  return `${h.digest('hex')}-${partMd5sBase64.length}`;
}

/** Hex MD5 of a part, as the store puts it in the part's ETag. */
export function md5Hex(b64: string): string {
  return base64ToHex(b64);
}

/** A SHA-256 fed in order; its state survives a reload. */
export class RunningSha256 {
  #hasher: IHasher;
  /** Parts 1..through are in the digest. */
  through: number;

  private constructor(hasher: IHasher, through: number) {
    this.#hasher = hasher;
    this.through = through;
  }

  static async create(saved?: { through: number; state?: Uint8Array }): Promise<RunningSha256> {
    const h = await createSHA256();
    h.init();
    if (saved?.state && saved.through > 0) {
      h.load(saved.state);
      return new RunningSha256(h, saved.through);
    }
    return new RunningSha256(h, 0);
  }

  update(part: number, bytes: Uint8Array): void {
    if (part !== this.through + 1) throw new Error(`SHA-256 must be fed in order: expected part ${this.through + 1}, got ${part}.`);
    this.#hasher.update(bytes);
    this.through = part;
  }

  save(): { through: number; state: Uint8Array } {
    return { through: this.through, state: this.#hasher.save() };
  }

  digestHex(): string {
    return this.#hasher.digest('hex');
  }
}

export { hexToBase64 };
