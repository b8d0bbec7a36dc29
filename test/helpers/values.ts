/** Comparing decoded values with the reference producer's (xarray, h5py). */
import { expect } from 'vitest';

/** `got` equals `want` within float32 rounding; null (no data) must be NaN. `what` names the values in failures. */
export function expectValues(got: ArrayLike<number>, want: (number | null)[], what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w === null) expect(Number.isNaN(g), `${what}[${i}] should be NaN, got ${g}`).toBe(true);
    else expect(Math.abs(g - w), `${what}[${i}]: ${g} vs xarray ${w}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(w)));
  }
}
