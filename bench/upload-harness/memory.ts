/**
 * Resident memory of the Chromium that this Node process launched, sampled
 * from /proc (Linux): the renderer holds the page and its dedicated workers
 * (the S3 worker and the hash workers), the network service holds request
 * bodies on their way out. Used by bench/upload.ts to check that an upload
 * holds about (parts in flight x part size) and not the file.
 */
import { readdirSync, readFileSync } from 'node:fs';

interface Proc {
  pid: number;
  ppid: number;
  cmd: string;
}

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

/** Current RSS of this process's Chromium descendants, by role. */
export function chromiumMemory(root = process.pid): MemoryFigures {
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
  const fig: MemoryFigures = { renderer: 0, network: 0, browser: 0 };
  for (const p of all) {
    if (!mine.has(p.pid) || p.pid === root || !/chrom/i.test(p.cmd)) continue;
    if (p.cmd.includes('--type=renderer')) fig.renderer += rss(p.pid);
    else if (p.cmd.includes('network.mojom.NetworkService')) fig.network += rss(p.pid);
    else if (!p.cmd.includes('--type=')) fig.browser += rss(p.pid);
  }
  return fig;
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
