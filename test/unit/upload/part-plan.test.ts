import { describe, expect, it } from 'vitest';
import { GiB, MAX_PARTS, MIN_PART_SIZE, MiB, PlanError, autoPartSize, partRange, planParts } from '../../../src/lib/upload/part-plan';

describe('planParts', () => {
  it('sends small files (and empty ones) in one PUT', () => {
    expect(planParts(0)).toEqual({ size: 0, multipart: false, partSize: 0, partCount: 1 });
    expect(planParts(32 * MiB)).toMatchObject({ multipart: false, partCount: 1 });
  });

  it('cuts files above the threshold into parts that cover every byte exactly once', () => {
    for (const size of [32 * MiB + 1, 100 * MiB, 5 * MiB * 7, GiB + 3, 17 * GiB]) {
      const plan = planParts(size);
      expect(plan.multipart).toBe(true);
      let covered = 0;
      for (let n = 1; n <= plan.partCount; n++) {
        const { start, end } = partRange(plan, n);
        expect(start).toBe(covered);
        expect(end - start).toBeGreaterThan(0);
        if (n < plan.partCount) expect(end - start).toBeGreaterThanOrEqual(MIN_PART_SIZE);
        covered = end;
      }
      expect(covered).toBe(size);
    }
  });

  it('follows the part size rules: >= 5 MiB, <= 10,000 parts, >= 200 MB for tens of GB', () => {
    expect(autoPartSize(100 * MiB)).toBe(8 * MiB);
    expect(autoPartSize(GiB)).toBe(64 * MiB);
    expect(autoPartSize(20 * GiB)).toBeGreaterThanOrEqual(200e6);
    const huge = planParts(5 * 1024 * GiB);
    expect(huge.partCount).toBeLessThanOrEqual(MAX_PARTS);
  });

  it('takes a user part size, and refuses impossible ones in plain words', () => {
    expect(planParts(12 * MiB, { partSize: 5 * MiB })).toMatchObject({ multipart: true, partSize: 5 * MiB, partCount: 3 });
    expect(() => planParts(GiB, { partSize: MiB })).toThrow(/at least 5 MiB/);
    expect(() => planParts(GiB, { partSize: 6 * GiB })).toThrow(/at most 5 GiB/);
    expect(() => planParts(100 * GiB, { partSize: 5 * MiB })).toThrow(/more than 10,000 parts/);
    expect(() => planParts(6 * 1024 * GiB)).toThrow(PlanError);
    expect(() => planParts(-1)).toThrow(/Invalid file size/);
  });

  it('exact 5 MiB boundaries give full parts and no empty tail', () => {
    const plan = planParts(10 * MiB, { partSize: 5 * MiB });
    expect(plan.partCount).toBe(2);
    expect(partRange(plan, 2)).toEqual({ start: 5 * MiB, end: 10 * MiB });
    expect(() => partRange(plan, 3)).toThrow(RangeError);
  });
});
