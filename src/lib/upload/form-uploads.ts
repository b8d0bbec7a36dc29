/**
 * Whether small files go to a bucket as form uploads (PostObject, see
 * src/lib/s3/ops/post-object.ts) or as PUTs, remembered per endpoint and
 * bucket for the session.
 *
 * Why: in a browser every signed PUT to a new URL (every object of a folder)
 * is preceded by a CORS preflight, one more round trip each; a form POST is a
 * simple request and has none. Whether a store takes it, and whether the
 * bucket's CORS rule lets the page read its answer (the rule must allow POST),
 * is only known by trying: the first small file to a bucket goes alone, with
 * no retry, and the others wait for its answer (a moment: they were being
 * hashed meanwhile). A POST that fails is followed by a PUT of the same file;
 * if that PUT goes through, POST is remembered as refused there and every
 * later file goes by PUT (a network that is down fails both and proves
 * nothing). Holds no secret.
 */

type State = { kind: 'post' } | { kind: 'put' } | { kind: 'trying'; done: Promise<void>; release: () => void };

/** What one file should do: POST, POST as the bucket's first try, or PUT. */
export type FormUploadTurn = 'post' | 'probe' | 'put';

export class FormUploads {
  #states = new Map<string, State>();

  static key(endpoint: string, bucket: string): string {
    return `${endpoint}\n${bucket}`;
  }

  /** This file's turn; waits while another file tries the bucket first. */
  async claim(key: string, signal?: AbortSignal): Promise<FormUploadTurn> {
    for (;;) {
      const s = this.#states.get(key);
      if (!s) {
        let release!: () => void;
        const done = new Promise<void>((r) => (release = r));
        this.#states.set(key, { kind: 'trying', done, release });
        return 'probe';
      }
      if (s.kind === 'post' || s.kind === 'put') return s.kind;
      await (signal ? Promise.race([s.done, aborted(signal)]) : s.done);
      if (signal?.aborted) throw signal.reason;
    }
  }

  /** A POST went through: POST from now on (ends a try). */
  accepted(key: string): void {
    this.#set(key, { kind: 'post' });
  }

  /** A POST failed and a PUT of the same file then went through: PUT from now on. */
  refused(key: string): void {
    this.#set(key, { kind: 'put' });
  }

  /** The bucket's first try ended without telling (paused, or the network is down): the next file tries again. */
  abandon(key: string): void {
    const s = this.#states.get(key);
    if (s?.kind !== 'trying') return;
    this.#states.delete(key);
    s.release();
  }

  /** What is known about a bucket (for tests and diagnostics). */
  verdict(key: string): 'post' | 'put' | 'unknown' {
    const s = this.#states.get(key);
    return s?.kind === 'post' || s?.kind === 'put' ? s.kind : 'unknown';
  }

  #set(key: string, next: State): void {
    const s = this.#states.get(key);
    this.#states.set(key, next);
    if (s?.kind === 'trying') s.release();
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
