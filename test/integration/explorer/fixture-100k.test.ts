/**
 * Creates (or finds) the 100,000-object fixture and checks it is complete by
 * counting it with a plain pager; the e2e scale test and the listing bench use it.
 */
import { describe, expect, it } from 'vitest';
import { listPages } from '../../../src/lib/s3/ops/list-objects';
import { rgwClient } from '../../helpers/s3';
import { BIG_BUCKET, BIG_COUNT, BIG_PREFIX, bigTotalBytes, ensureBigPrefix } from './fixture-100k';

describe('100,000-object fixture', () => {
  it('exists with every key and byte', { timeout: 600_000 }, async () => {
    await ensureBigPrefix((l) => console.log(l));
    let count = 0;
    let bytes = 0;
    for await (const page of listPages(rgwClient(), { bucket: BIG_BUCKET, prefix: BIG_PREFIX })) {
      count += page.objects.length;
      for (const o of page.objects) bytes += o.size;
    }
    expect(count).toBe(BIG_COUNT);
    expect(bytes).toBe(bigTotalBytes());
  });
});
