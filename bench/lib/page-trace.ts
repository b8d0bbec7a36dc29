/**
 * The step timestamps a bench page records (src/lib/zarr/trace.ts, in builds
 * made with TESSERA_TRACE=1), printed as "first and last time each step was
 * seen", in ms after the page asked to open the dataset.
 */
export type PageTrace = [string, number][];

/** When `what` was first recorded (epoch ms), if it was. */
export function firstAt(events: PageTrace, what: string): number | undefined {
  return events.find(([w]) => w === what || w.startsWith(`${what} `))?.[1];
}

export function printTrace(events: PageTrace, all = false): void {
  const t0 = firstAt(events, 'page:open') ?? events[0]?.[1] ?? 0;
  const ms = (t: number) => (t - t0).toFixed(0).padStart(5);
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  for (const [what, at] of events) {
    const kind = what.split(' ')[0]!;
    if (!first.has(kind)) first.set(kind, at);
    last.set(kind, at);
  }
  if (all) for (const [what, at] of events) console.log(`    ${ms(at)} ${what}`);
  console.log('    step               first  last (ms after open)');
  for (const [kind, at] of first) console.log(`    ${kind.padEnd(18)} ${ms(at)} ${ms(last.get(kind)!)}`);
}
