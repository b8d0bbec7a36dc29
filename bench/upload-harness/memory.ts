/**
 * Resident memory and CPU time of the Chromium that this Node process
 * launched, from /proc (Linux): the renderer holds the page and its dedicated
 * workers (the S3 worker and the hash workers), the network service sends the
 * request bodies. Used by bench/upload.ts to check that an upload holds about
 * (parts in flight x part size) and not the file, and to show where the CPU
 * of a run goes (the store's own processes included: they share the cores).
 */
import { readdirSync, readFileSync } from 'node:fs';

interface Proc {
  pid: number;
  ppid: number;
  cmd: string;
}

const TICKS_PER_SECOND = 100;

function procs(): Proc[] {
  const out: Proc[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // Field 4 (ppid) follows the parenthesised command name, which may hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.push({ pid: Number(d), ppid, cmd: readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch {
      /* the process ended meanwhile */
    }
  }
  return out;
}

function rss(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export interface MemoryFigures {
  renderer: number;
  network: number;
  browser: number;
}

type Role = keyof MemoryFigures | 'gpu-and-other';

/** This process's Chromium descendants with their role. */
function chromium(root: number): Array<{ pid: number; role: Role }> {
  const all = procs();
  const mine = new Set<number>([root]);
  // Parents come before children often but not always: repeat until stable.
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (mine.has(p.pid) || !mine.has(p.ppid)) continue;
      mine.add(p.pid);
      grew = true;
    }
  }
  const out: Array<{ pid: number; role: Role }> = [];
  for (const p of all) {
    if (!mine.has(p.pid) || p.pid === root || !/chrom/i.test(p.cmd)) continue;
    if (p.cmd.includes('--type=renderer')) out.push({ pid: p.pid, role: 'renderer' });
    else if (p.cmd.includes('network.mojom.NetworkService')) out.push({ pid: p.pid, role: 'network' });
    else if (!p.cmd.includes('--type=')) out.push({ pid: p.pid, role: 'browser' });
    else out.push({ pid: p.pid, role: 'gpu-and-other' });
  }
  return out;
}

/** Current RSS of this process's Chromium descendants, by role. */
export function chromiumMemory(root = process.pid): MemoryFigures {
  const fig: MemoryFigures = { renderer: 0, network: 0, browser: 0 };
  for (const p of chromium(root)) if (p.role !== 'gpu-and-other') fig[p.role] += rss(p.pid);
  return fig;
}

function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    return (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds used so far by Chromium's processes (by role) and the store's (radosgw, ceph-osd). */
export function cpuByRole(root = process.pid): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of chromium(root)) out[`chromium ${p.role}`] = (out[`chromium ${p.role}`] ?? 0) + cpuSeconds(p.pid);
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let comm: string;
    try {
      comm = readFileSync(`/proc/${d}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (comm === 'radosgw' || comm === 'ceph-osd') out[comm] = (out[comm] ?? 0) + cpuSeconds(Number(d));
  }
  // Children this process waited for (aws, s3cmd): fields 16 and 17 of its own stat line.
  const self = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
  const f = self.slice(self.lastIndexOf(')') + 2).split(' ');
  out['peer cli'] = (Number(f[13]) + Number(f[14])) / TICKS_PER_SECOND;
  return out;
}

/**
 * CPU seconds so far per Chromium thread, keyed "role/thread name" (threads of
 * one name summed): which thread of which process did the work.
 */
export function cpuByThread(root = process.pid): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of chromium(root)) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${p.pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const comm = readFileSync(`/proc/${p.pid}/task/${tid}/comm`, 'utf8').trim();
        const stat = readFileSync(`/proc/${p.pid}/task/${tid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const key = `${p.role}/${comm}`;
        out[key] = (out[key] ?? 0) + (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND;
      } catch {
        // The thread ended.
      }
    }
  }
  return out;
}

/** CPU seconds each role used between two `cpuByRole()` readings. */
export function cpuDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) out[k] = v - (before[k] ?? 0);
  return out;
}

/** Renderer threads' CPU seconds since `before` (those above 10 ms). */
export function threadsSince(before: Record<string, number>): string {
  return Object.entries(cpuDelta(before, cpuByThread()))
    .filter(([k, v]) => k.startsWith('renderer/') && v >= 0.01)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k.slice('renderer/'.length)} ${v.toFixed(2)}`)
    .join(', ');
}

/** Samples while started; `peak` keeps the largest renderer growth seen over all runs. */
export class MemorySampler {
  readonly intervalMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #base = 0;
  peak = { renderer: 0, rendererBase: 0, network: 0, browser: 0 };

  constructor(intervalMs = 100) {
    this.intervalMs = intervalMs;
  }

  start(): void {
    this.#base = chromiumMemory().renderer;
    this.#timer = setInterval(() => {
      const m = chromiumMemory();
      if (m.renderer - this.#base > this.peak.renderer - this.peak.rendererBase) Object.assign(this.peak, { renderer: m.renderer, rendererBase: this.#base });
      this.peak.network = Math.max(this.peak.network, m.network);
      this.peak.browser = Math.max(this.peak.browser, m.browser);
    }, this.intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
