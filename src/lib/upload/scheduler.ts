/**
 * One queue for every request of every upload (after Uppy's S3 uploader):
 * bounded concurrency and bytes in flight, priorities (complete/abort before
 * new parts, started files before new ones), and adaptive back-off: a
 * SlowDown/503 halves the concurrency and holds the queue briefly; every run
 * of successes gives one slot back.
 */
import { abortedError } from '../s3/errors';

export const Priority = {
  /** Create, complete, abort, ListParts, verify: short, and they free the server's resources. */
  Control: 0,
  /** Parts of uploads already started. */
  Part: 1,
  /** Files not started yet. */
  New: 2,
} as const;
export type Priority = (typeof Priority)[keyof typeof Priority];

export interface SchedulerOptions {
  /** Requests in flight at most. */
  maxConcurrent: number;
  /** Bytes held in flight at most (a task bigger than this still runs alone). */
  maxBytes: number;
  /** Successes needed to give back one slot after a back-off. */
  recoverAfter?: number;
  /**
   * Tasks holding more than `bytes` (big files, parts) run `max` at once at
   * most, beside the others; null or absent: no such limit. Over HTTP/1.1 this
   * keeps connections free of long requests (see `longTransfers` in s3/protocol.ts).
   */
  long?: LongLimit | null;
  /**
   * A group's tasks changed between waiting and running (one was queued, or
   * started, or ended): its upload's row may now read differently (`waiting`).
   */
  onChange?: (group: string) => void;
  now?: () => number;
}

export interface LongLimit {
  bytes: number;
  max: number;
}

export interface TaskSpec<T> {
  priority: Priority;
  /** Bytes the task holds while it runs (part size; 0 for control requests). */
  bytes: number;
  /** Tasks of one upload share a group, so they can be cancelled together. */
  group: string;
  run: (signal: AbortSignal) => Promise<T>;
}

interface Queued {
  spec: TaskSpec<unknown>;
  seq: number;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  controller: AbortController;
}

export interface SchedulerStats {
  running: number;
  queued: number;
  limit: number;
  bytesInFlight: number;
}

export class Scheduler {
  #opts: Required<Omit<SchedulerOptions, 'now' | 'long' | 'onChange'>> & { long: LongLimit | null };
  #onChange: (group: string) => void;
  /** Tasks of each group queued and running (groups with neither are not kept). */
  #groups = new Map<string, { queued: number; running: number }>();
  /** The group being submitted: its turns are told once the submit has run (see `submit`). */
  #quiet: string | undefined;
  #now: () => number;
  #queue: Queued[] = [];
  #running = new Set<Queued>();
  #bytes = 0;
  /** Running tasks over `long.bytes`. */
  #long = 0;
  #seq = 0;
  #limit: number;
  #streak = 0;
  #holdUntil = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #paused = false;

  constructor(options: SchedulerOptions) {
    const { onChange, ...rest } = options;
    this.#opts = { recoverAfter: 8, ...rest, long: options.long ?? null };
    this.#onChange = onChange ?? (() => undefined);
    this.#now = options.now ?? Date.now;
    this.#limit = options.maxConcurrent;
  }

  get stats(): SchedulerStats {
    return { running: this.#running.size, queued: this.#queue.length, limit: this.#limit, bytesInFlight: this.#bytes };
  }

  /**
   * Change the limits (a setting, or the protocol the store speaks). A limit
   * not named (or named undefined) stays as it was: the engine passes both
   * through from settings that name neither.
   */
  configure(options: Partial<Pick<SchedulerOptions, 'maxConcurrent' | 'maxBytes' | 'long'>>): void {
    if (options.maxBytes !== undefined) this.#opts.maxBytes = options.maxBytes;
    if (options.long !== undefined) this.#opts.long = options.long;
    if (options.maxConcurrent !== undefined) this.#opts.maxConcurrent = this.#limit = options.maxConcurrent;
    this.#pump();
  }

  submit<T>(spec: TaskSpec<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const before = this.waiting(spec.group);
      this.#queue.push({ spec: spec as TaskSpec<unknown>, seq: this.#seq++, resolve: resolve as (v: unknown) => void, reject, controller: new AbortController() });
      this.#quiet = spec.group;
      try {
        this.#count(spec.group, 1, 0);
        this.#pump();
      } finally {
        this.#quiet = undefined;
      }
      // Told once, for where it ended: a task that starts at once never waited.
      if (this.waiting(spec.group) !== before) this.#onChange(spec.group);
    });
  }

  /**
   * Has the group tasks waiting for their turn and none running? Then its
   * upload is waiting for a connection (others' requests fill the limits),
   * not stuck: the row says so.
   */
  waiting(group: string): boolean {
    const g = this.#groups.get(group);
    return !!g && g.queued > 0 && g.running === 0;
  }

  /** Move a group's counts; tell `onChange` when its waiting state turns. */
  #count(group: string, queued: number, running: number): void {
    const before = this.waiting(group);
    const g = this.#groups.get(group) ?? { queued: 0, running: 0 };
    g.queued += queued;
    g.running += running;
    if (g.queued === 0 && g.running === 0) this.#groups.delete(group);
    else this.#groups.set(group, g);
    if (group !== this.#quiet && this.waiting(group) !== before) this.#onChange(group);
  }

  /** Stop starting tasks (running ones finish); `resume()` starts again. Used while offline. */
  hold(): void {
    this.#paused = true;
  }
  release(): void {
    this.#paused = false;
    this.#pump();
  }

  /** Reject queued tasks and abort running ones of a group. */
  cancelGroup(group: string, reason: unknown = abortedError('Cancel')): void {
    const keep: Queued[] = [];
    for (const q of this.#queue) {
      if (q.spec.group === group) {
        this.#count(group, -1, 0);
        q.reject(reason);
      } else keep.push(q);
    }
    this.#queue = keep;
    for (const q of this.#running) if (q.spec.group === group) q.controller.abort(reason);
  }

  /** The store asked us to slow down: halve the concurrency and hold new starts for `delayMs`. */
  backOff(delayMs = 1000): void {
    this.#limit = Math.max(1, Math.floor(this.#limit / 2));
    this.#streak = 0;
    this.#holdUntil = Math.max(this.#holdUntil, this.#now() + delayMs);
    this.#arm(delayMs);
  }

  #succeeded(): void {
    if (this.#limit >= this.#opts.maxConcurrent) return;
    if (++this.#streak >= this.#opts.recoverAfter) {
      this.#streak = 0;
      this.#limit++;
    }
  }

  #arm(delayMs: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, delayMs);
  }

  #isLong(q: Queued): boolean {
    const long = this.#opts.long;
    return !!long && q.spec.priority !== Priority.Control && q.spec.bytes > long.bytes;
  }

  /** The next task to start: by priority, then order; a long one waits while the long ones are at their limit. */
  #pick(): number {
    let best = -1;
    const longFull = !!this.#opts.long && this.#long >= this.#opts.long.max;
    for (let i = 0; i < this.#queue.length; i++) {
      const q = this.#queue[i]!;
      if (longFull && this.#isLong(q)) continue;
      const b = best < 0 ? undefined : this.#queue[best]!;
      if (!b || q.spec.priority < b.spec.priority || (q.spec.priority === b.spec.priority && q.seq < b.seq)) best = i;
    }
    return best;
  }

  #pump(): void {
    if (this.#paused) return;
    const wait = this.#holdUntil - this.#now();
    if (wait > 0) {
      if (!this.#timer) this.#arm(wait);
      return;
    }
    for (;;) {
      const i = this.#pick();
      if (i < 0) return;
      const q = this.#queue[i]!;
      const control = q.spec.priority === Priority.Control;
      // Control requests get two extra slots so a full queue of parts never starves a Complete/Abort.
      const limit = control ? this.#limit + 2 : this.#limit;
      if (this.#running.size >= limit) return;
      if (!control && this.#bytes > 0 && this.#bytes + q.spec.bytes > this.#opts.maxBytes) return;
      this.#queue.splice(i, 1);
      this.#start(q);
    }
  }

  #start(q: Queued): void {
    this.#running.add(q);
    this.#count(q.spec.group, -1, 1);
    this.#bytes += q.spec.bytes;
    // Counted as it was when it started, whatever the limit is by the time it ends.
    const long = this.#isLong(q);
    if (long) this.#long++;
    const settle = (ok: boolean) => {
      this.#running.delete(q);
      this.#count(q.spec.group, 0, -1);
      this.#bytes -= q.spec.bytes;
      if (long) this.#long--;
      if (ok) this.#succeeded();
      this.#pump();
    };
    q.spec.run(q.controller.signal).then(
      (v) => {
        settle(true);
        q.resolve(v);
      },
      (e) => {
        settle(false);
        q.reject(e);
      },
    );
  }
}
