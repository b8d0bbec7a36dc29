import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { float32Text, valueText } from '../../../src/lib/zarr/float-text';

describe('numbers in files', () => {
  it('writes a float32 as the shortest text that reads back as the same float32, as numpy does', () => {
    // Values of every magnitude, including ones whose float64 widening has many digits.
    const seeds = [273.96, 0.1, -1e-7, 3.4028234663852886e38, 1.17549435e-38, 1e-45, 123456789, 0.3333333, 5e-6, 287.15, -40.5, 1 / 3];
    let x = 12345;
    for (let i = 0; i < 200; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      seeds.push(((x / 2 ** 31) - 0.5) * 10 ** ((i % 30) - 15));
    }
    const values = seeds.map(Math.fround);
    const texts = values.map(float32Text);
    values.forEach((v, i) => expect(Math.fround(Number(texts[i])), texts[i]).toBe(v));
    const numpy = execFileSync('/usr/bin/python3', ['-c', 'import sys, numpy as np; [print(np.format_float_positional(np.float32(float(t)), unique=True, trim="-")) for t in sys.stdin.read().split()]'], {
      input: values.map((v) => v.toPrecision(17)).join('\n'),
    })
      .toString()
      .trim()
      .split('\n');
    // As short as numpy's shortest text: the same count of significant digits (the spelling
    // may differ, 1e-7 vs 0.0000001, and so may the last digit where two are equally near).
    const digits = (t: string) => Number(t).toExponential().replace(/e.*$|[-.]/g, '').length;
    texts.forEach((t, i) => expect(digits(t), `${values[i]}: ${t} vs numpy ${numpy[i]}`).toBe(digits(numpy[i]!)));
    expect(float32Text(Math.fround(273.96))).toBe('273.96');
    expect(float32Text(NaN)).toBe('NaN');
    expect(float32Text(-0)).toBe('0');
  });

  it('writes float64 values as JavaScript does (already shortest), float32 arrays by float32Text', () => {
    expect(valueText(new Float64Array(1))(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(valueText(new Float32Array(1))(Math.fround(0.1))).toBe('0.1');
  });
});
