/**
 * Where the CPU went in every thread of Chromium (page, workers) during a
 * traced span: V8's sampling profiler recorded through Chromium's tracing
 * (category `disabled-by-default-v8.cpu_profiler`), which, unlike a DevTools
 * `Profiler` session on the page, also covers dedicated workers. Prints, per
 * thread, the functions with the most self time. For benchmarks only.
 */

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  id?: string;
  args?: { name?: string; data?: { cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] }; timeDeltas?: number[] } };
}

interface ProfileNode {
  id: number;
  parent?: number;
  callFrame: { functionName: string; url?: string; lineNumber?: number; codeType?: string };
}

/** The categories to trace for `summarizeCpu`. */
export const CPU_TRACE_CATEGORIES = ['disabled-by-default-v8.cpu_profiler', 'v8', 'v8.wasm', 'disabled-by-default-v8.compile', 'disabled-by-default-v8.wasm.detailed', 'devtools.timeline', '__metadata'];

/** Self milliseconds per function and thread, from a Chromium trace (JSON). */
export function cpuByFunction(trace: string | Buffer): Map<string, Map<string, number>> {
  const parsed = JSON.parse(trace.toString()) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const threadName = new Map<string, string>();
  const processName = new Map<number, string>();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name') threadName.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
    if (e.ph === 'M' && e.name === 'process_name') processName.set(e.pid, e.args?.name ?? '?');
  }
  // The chunks come from the profiler's own thread; the `Profile` event names the thread profiled.
  const profiled = new Map<string, string>();
  for (const e of events) if (e.name === 'Profile') profiled.set(`${e.pid}:${e.id}`, `${processName.get(e.pid) ?? 'process'} ${e.pid} / ${threadName.get(`${e.pid}:${e.tid}`) ?? 'thread'} ${e.tid}`);
  // A profile's nodes and samples arrive in chunks, all with the profile's id.
  const profiles = new Map<string, { thread: string; nodes: Map<number, ProfileNode>; samples: number[]; deltas: number[] }>();
  for (const e of events) {
    if (e.name !== 'ProfileChunk') continue;
    const key = `${e.pid}:${e.id}`;
    let p = profiles.get(key);
    if (!p) profiles.set(key, (p = { thread: profiled.get(key) ?? `${e.pid}:${e.tid}`, nodes: new Map(), samples: [], deltas: [] }));
    const d = e.args?.data;
    for (const n of d?.cpuProfile?.nodes ?? []) p.nodes.set(n.id, n);
    p.samples.push(...(d?.cpuProfile?.samples ?? []));
    p.deltas.push(...(d?.timeDeltas ?? []));
  }
  const out = new Map<string, Map<string, number>>();
  for (const p of profiles.values()) {
    const byFn = out.get(p.thread) ?? new Map<string, number>();
    out.set(p.thread, byFn);
    // A sample's time is the gap to the next sample.
    for (let i = 0; i < p.samples.length; i++) {
      const n = p.nodes.get(p.samples[i]!);
      if (!n) continue;
      const f = n.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url?.split('/').pop() ?? ''}:${(f.lineNumber ?? -1) + 1}`;
      byFn.set(key, (byFn.get(key) ?? 0) + (p.deltas[i + 1] ?? 0) / 1000);
    }
  }
  return out;
}

/** Print the `top` functions by self time of each thread that ran JavaScript for more than 5 ms. */
export function printCpuByFunction(trace: string | Buffer, top = 25): void {
  for (const [thread, byFn] of cpuByFunction(trace)) {
    const busy = [...byFn].filter(([k]) => !/^\((idle|program|garbage collector)\)/.test(k)).reduce((a, [, v]) => a + v, 0);
    if (busy < 5) continue;
    console.log(`    ${thread}: ${busy.toFixed(0)} ms busy (self ms by function)`);
    for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`    ${v.toFixed(1).padStart(8)} ${k}`);
  }
}
