/**
 * A long operation run in the S3 worker (du, find, delete, copy, download):
 * its progress as it comes, its result or error, and cancel. The worker gets
 * an op id, since an AbortSignal cannot cross to it.
 */
import { newOpId, type S3WorkerRemote } from '../rpc/s3';
import { S3Error } from '../lib/s3/errors';
import { session } from './session.svelte';

/** What `Task.run` hands the call it runs: the id to cancel it by and where its progress goes. */
export interface TaskCall<P> {
  opId: string;
  onProgress: (p: P) => void;
}

export type TaskState = 'idle' | 'running' | 'done' | 'failed' | 'cancelled';

export class Task<P, R> {
  #state = $state<TaskState>('idle');
  #progress = $state.raw<P | null>(null);
  #result = $state.raw<R | null>(null);
  #error = $state.raw<Error | null>(null);
  #opId = '';
  #worker: S3WorkerRemote | null;

  /** `worker` is for tests; the app's tasks run in the session's S3 worker. */
  constructor(worker: S3WorkerRemote | null = null) {
    this.#worker = worker;
  }

  get state(): TaskState {
    return this.#state;
  }
  get running(): boolean {
    return this.#state === 'running';
  }
  get progress(): P | null {
    return this.#progress;
  }
  get result(): R | null {
    return this.#result;
  }
  get error(): Error | null {
    return this.#error;
  }

  /**
   * Run `call` with an op id and a progress callback (it crosses to the
   * worker as a proxy). Resolves with the result, or null when it failed or
   * was cancelled.
   */
  async run(call: (task: TaskCall<P>) => Promise<R>): Promise<R | null> {
    this.#opId = newOpId('task');
    this.#state = 'running';
    this.#progress = null;
    this.#result = null;
    this.#error = null;
    try {
      const r = await call({ opId: this.#opId, onProgress: (p: P) => (this.#progress = p) });
      this.#result = r;
      this.#state = 'done';
      return r;
    } catch (e) {
      if (e instanceof S3Error && e.code === 'Aborted') this.#state = 'cancelled';
      else {
        this.#error = e as Error;
        this.#state = 'failed';
      }
      return null;
    }
  }

  cancel(): void {
    if (this.#opId) void (this.#worker ?? session.worker).connection.cancel({ opId: this.#opId });
  }

  reset(): void {
    this.#state = 'idle';
    this.#progress = null;
    this.#result = null;
    this.#error = null;
  }
}
