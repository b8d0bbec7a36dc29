/**
 * A connection set early, while its check runs (`S3Service.connectChecked`
 * with `early`: the dataset a page was opened at is read alongside the check
 * instead of after it), against the real Ceph RGW: reads are signed with the
 * keys being checked at once; keys the check refuses give its clear error as
 * before and are dropped, so nothing more is signed with them; a connection
 * in use is never replaced before its successor is checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Service, type ConnectionSettings } from '../../src/lib/s3/service';
import { createBucket, destroyBucket, rgwService, uniqueBucket } from '../helpers/s3';
import { loadRgwEnv } from '../helpers/rgw-env';

let bucket: string;
const KEY = 'early.txt';

beforeAll(async () => {
  bucket = uniqueBucket('nc-cold-early');
  await createBucket(bucket);
  await rgwService().putObject({ bucket, key: KEY, body: 'read while the keys are checked' });
});

afterAll(async () => {
  await destroyBucket(bucket);
});

function settings(secret?: string): ConnectionSettings {
  const env = loadRgwEnv();
  return { endpoint: env.endpoint, region: env.region, accessKeyId: env.accessKeyId, secretAccessKey: secret ?? env.secretAccessKey };
}

describe('a connection set while its check runs', () => {
  it('signs reads at once; a refused secret gives the check’s clear error and is dropped', async () => {
    const s3 = new S3Service();
    const checking = s3.connectChecked(settings('definitely-not-the-right-secret-00000000'), undefined, { early: true });
    // Asked before the check has answered: signed with the keys being checked, which the store refuses.
    const url = await s3.presign('GET', bucket, KEY, 60);
    expect((await fetch(url)).status).toBe(403);
    const { check } = await checking;
    expect(check).toEqual({ kind: 'bad-credentials', detail: `${loadRgwEnv().endpoint} refused the secret key (SignatureDoesNotMatch): check it, it is shown only once when the key is made.` });
    expect(() => s3.presign('GET', bucket, KEY, 60)).toThrow(expect.objectContaining({ code: 'NotConnected' }));
  });

  it('right keys: reads signed before the check answered succeed, and the connection stays', async () => {
    const s3 = new S3Service();
    const checking = s3.connectChecked(settings(), undefined, { early: true });
    const early = await fetch(await s3.presign('GET', bucket, KEY, 60));
    expect(early.status).toBe(200);
    expect(await early.text()).toBe('read while the keys are checked');
    expect((await checking).check.kind).toBe('verified');
    expect((await fetch(await s3.presign('GET', bucket, KEY, 60))).status).toBe(200);
  });

  it('a connection in use signs until its successor is checked, and stays when that one is refused', async () => {
    const s3 = new S3Service();
    s3.connect(settings());
    const checking = s3.connectChecked(settings('definitely-not-the-right-secret-00000000'), undefined, { early: true });
    expect((await fetch(await s3.presign('GET', bucket, KEY, 60))).status).toBe(200);
    expect((await checking).check.kind).toBe('bad-credentials');
    expect((await fetch(await s3.presign('GET', bucket, KEY, 60))).status).toBe(200);
  });
});
