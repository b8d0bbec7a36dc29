/**
 * A bucket's CORS rules and policy, read from the store, examined, edited and
 * written back whole (both PutBucketCors and PutBucketPolicy replace).
 */
import type { S3WorkerRemote } from '../rpc/s3';
import { session } from './session.svelte';
import { S3Error } from '../lib/s3/errors';
import type { CorsRule } from '../lib/s3/ops/cors-rules';
import { examineObservation, lintPolicy, readPolicy, explainPolicy, type CorsObservation, type CorsReport, type Dialect } from '../lib/policy/index';

export class BucketSettings {
  readonly bucket: string;
  readonly origin: string;
  #worker: S3WorkerRemote;

  #observation = $state.raw<CorsObservation | null>(null);
  #corsError = $state<Error | null>(null);
  #policy = $state<string | null>(null);
  #policyLoaded = $state(false);
  #policyError = $state<Error | null>(null);
  #busy = $state('');
  #message = $state('');

  /** The document in the editor. */
  draft = $state('');

  constructor(bucket: string, origin: string, worker: S3WorkerRemote = session.worker) {
    this.#worker = worker;
    this.bucket = bucket;
    this.origin = origin;
  }

  /** The bucket's CORS rules; null while loading or when the store does not let a page read them. */
  get rules(): CorsRule[] | null {
    return this.#observation?.rules ?? null;
  }
  get rulesReadable(): boolean {
    return !!this.#observation && this.#observation.rules !== null;
  }
  get corsError(): Error | null {
    return this.#corsError;
  }
  get report(): CorsReport | null {
    return this.#observation ? examineObservation(this.#observation, this.origin) : null;
  }
  /** The stored policy text, or null when the bucket has none. */
  get policy(): string | null {
    return this.#policy;
  }
  get policyLoaded(): boolean {
    return this.#policyLoaded;
  }
  get policyError(): Error | null {
    return this.#policyError;
  }
  get busy(): string {
    return this.#busy;
  }
  get message(): string {
    return this.#message;
  }
  get lint(): string[] {
    return this.draft.trim() ? lintPolicy(this.draft, this.bucket) : [];
  }
  get explanation(): string[] {
    try {
      return this.draft.trim() ? explainPolicy(readPolicy(this.draft, this.bucket)) : [];
    } catch {
      return [];
    }
  }
  get dirty(): boolean {
    return this.draft !== (this.#policy ?? '');
  }

  async load(): Promise<void> {
    await Promise.all([this.loadCors(), this.loadPolicy()]);
  }

  async loadCors(): Promise<void> {
    this.#corsError = null;
    try {
      this.#observation = await this.#worker.bucketSettings.observeCors({ bucket: this.bucket });
    } catch (e) {
      this.#corsError = e as Error;
    }
  }

  async loadPolicy(): Promise<void> {
    this.#policyError = null;
    try {
      this.#policy = prettify(await this.#worker.bucketSettings.getPolicy({ bucket: this.bucket }));
    } catch (e) {
      if (e instanceof S3Error && e.code === 'NoSuchBucketPolicy') this.#policy = null;
      else this.#policyError = e as Error;
    }
    this.#policyLoaded = true;
    this.draft = this.#policy ?? '';
  }

  async #run(label: string, fn: () => Promise<void>, done: string): Promise<boolean> {
    this.#busy = label;
    this.#message = '';
    try {
      await fn();
      this.#message = done;
      return true;
    } catch (e) {
      this.#message = e instanceof S3Error ? e.describe() : (e as Error).message;
      return false;
    } finally {
      this.#busy = '';
    }
  }

  /** Write the doctor's fixed rules (works once a rule already lets this page PUT). */
  applyCorsFix(): Promise<boolean> {
    const fixed = this.report?.fixed;
    if (!fixed) return Promise.resolve(false);
    return this.#run('Writing CORS rules…', async () => {
      await this.#worker.bucketSettings.putCors({ bucket: this.bucket, rules: fixed });
      await this.loadCors();
    }, 'CORS rules written.');
  }

  savePolicy(): Promise<boolean> {
    const problems = this.lint;
    if (problems.length) {
      this.#message = `Not written: ${problems[0]}`;
      return Promise.resolve(false);
    }
    const text = this.draft;
    return this.#run('Writing the policy…', async () => {
      await this.#worker.bucketSettings.putPolicy({ bucket: this.bucket, policy: text });
      await this.loadPolicy();
    }, 'Policy written.');
  }

  deletePolicy(): Promise<boolean> {
    return this.#run('Deleting the policy…', async () => {
      await this.#worker.bucketSettings.deletePolicy({ bucket: this.bucket });
      await this.loadPolicy();
    }, 'Policy deleted: the bucket is private to its owner again.');
  }

  dialectOfDraft(fallback: Dialect): Dialect {
    try {
      return readPolicy(this.draft, this.bucket).dialect;
    } catch {
      return fallback;
    }
  }
}

function prettify(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
