/**
 * The S3 worker's façade as the Zarr worker sees it, at the interface seam
 * (a recording `S3Access`; signing itself is covered against the RGW): the
 * first read's presigning of a dataset opened `early` is not held behind the
 * question of whether the connection is anonymous, which rides along with it.
 */
import { describe, expect, it } from 'vitest';
import { S3Source, type S3Access } from '../../../src/lib/zarr/s3-source';

function recordingAccess(anonymous: boolean) {
  const calls: string[] = [];
  let answer: () => void = () => undefined;
  const answered = new Promise<void>((r) => (answer = r));
  const access: S3Access = {
    anonymous: async () => {
      calls.push('anonymous');
      await answered;
      calls.push('anonymous answered');
      return anonymous;
    },
    presignMany: async (_bucket, keys) => {
      calls.push(`presign ${keys.join(',')}`);
      return keys.map((k) => `https://store.example/b/${k}?signed`);
    },
    listPage: () => Promise.reject(new Error('not used')),
  };
  return { access, calls, answer };
}

const okFetch: typeof fetch = async () => new Response(new Uint8Array([1, 2, 3]), { status: 200 });

describe('S3Source', () => {
  it('presigns the first read while the anonymity question is still unanswered', async () => {
    const { access, calls, answer } = recordingAccess(true);
    const source = await S3Source.create(access, 'b', 'data.zarr', { fetch: okFetch, early: true });
    const read = source.get('.zmetadata');
    await new Promise((r) => setTimeout(r, 10));
    expect(calls).toEqual(['anonymous', 'presign data.zarr/.zmetadata']);
    answer();
    expect(await read).toEqual(new Uint8Array([1, 2, 3]));
    // No read answers before the connection's kind is known (what a refusal means depends on it).
    expect(source.anonymous).toBe(true);
  });

  it('says a keyed connection is not anonymous once a read has answered', async () => {
    const { access, answer } = recordingAccess(false);
    answer();
    const source = await S3Source.create(access, 'b', '', { fetch: okFetch, early: true });
    await source.get('zarr.json');
    expect(source.anonymous).toBe(false);
  });

  it('without `early`, knows whether the connection is anonymous before it is handed out', async () => {
    const { access, calls, answer } = recordingAccess(true);
    const created = S3Source.create(access, 'b', '', { fetch: okFetch });
    await new Promise((r) => setTimeout(r, 10));
    expect(calls).toEqual(['anonymous']);
    answer();
    expect((await created).anonymous).toBe(true);
  });
});
