/**
 * Bucket settings in Chromium against the real RGW: the CORS doctor finds
 * what a JASMIN-style rule lacks and fixes it from the page; the policy
 * editor writes a template that then really opens anonymous reads.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import * as ops from '../../src/lib/s3/ops/index';
import { createBucket, destroyBucket, rgwClient, rgwService, uniqueBucket } from '../helpers/s3';
import { loadRgwEnv } from '../helpers/rgw-env';
import { launchBrowser, newPage } from '../helpers/browser';
import { S3Error } from '../../src/lib/s3/errors';
import { s3cmd } from '../helpers/cli';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const appUrl = inject('appUrl');
const origin = new URL(appUrl).origin;
let browser: Browser;
let bucket: string;

beforeAll(async () => {
  bucket = uniqueBucket('settings');
  await createBucket(bucket);
  // JASMIN's help example: the right methods, but no ExposeHeader at all.
  await rgwService().putBucketCors(bucket, [{ allowedOrigins: [origin], allowedMethods: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'], allowedHeaders: ['*'], exposeHeaders: [] }]);
  await rgwClient().send(ops.PutObject, { bucket, key: 'shared/data.txt', body: 'for everyone' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await destroyBucket(bucket);
});

async function openSettings(page: Page): Promise<void> {
  const env = loadRgwEnv();
  await page.goto(`${appUrl}#/settings/${bucket}`);
  await page.fill('input[name=endpoint]', env.endpoint);
  await page.fill('input[name=accessKeyId]', env.accessKeyId);
  await page.fill('input[name=secretAccessKey]', env.secretAccessKey);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByRole('heading', { name: `Settings of ${bucket}` }).waitFor();
}

describe('bucket settings', () => {
  it('the CORS doctor finds the missing ETag exposure by using the bucket, and its printed fix works', async () => {
    const { page, context, errors } = await newPage(browser);
    await openSettings(page);
    const doctor = page.getByTestId('cors-doctor');
    await doctor.getByText('ETag is not exposed').waitFor();
    expect(await page.getByTestId('cors-verdict').textContent()).toMatch(/Some things will not work/);
    // The printed commands carry this bucket and this origin.
    const steps = (await doctor.getByTestId('fix-steps').textContent()) ?? '';
    expect(steps).toContain(`s3cmd setcors rules.xml s3://${bucket}`);
    expect(steps).toContain(`<AllowedOrigin>${origin}</AllowedOrigin>`);
    // Ceph RGW answers GET ?cors without CORS headers, so the page judges by using the bucket.
    await doctor.getByText('does not let a web page read CORS rules').waitFor();
    // Run the printed s3cmd step for real, then look again.
    const xml = (await doctor.getByTestId('fix-steps').locator('pre').first().textContent()) ?? '';
    const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-cors-'));
    writeFileSync(join(dir, 'rules.xml'), xml);
    const r = await s3cmd(['setcors', 'rules.xml', `s3://${bucket}`], { cwd: dir });
    rmSync(dir, { recursive: true, force: true });
    expect(r.code, r.stderr).toBe(0);
    await page.reload();
    await page.fill('input[name=endpoint]', loadRgwEnv().endpoint);
    await page.fill('input[name=accessKeyId]', loadRgwEnv().accessKeyId);
    await page.fill('input[name=secretAccessKey]', loadRgwEnv().secretAccessKey);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByTestId('cors-verdict').getByText('Everything Tessera needs works').waitFor();
    const rules = await rgwClient().send(ops.GetBucketCors, { bucket });
    expect(rules[0]!.exposeHeaders).toContain('ETag');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the policy editor lints, explains, writes a template, and the store enforces it', async () => {
    const { page, context } = await newPage(browser);
    await openSettings(page);
    const editor = page.getByTestId('policy-editor');
    await editor.getByTestId('policy-state').getByText('has no policy').waitFor();
    await editor.locator('textarea[name=policy]').fill('{"Version": "2012-10-17", "Statement": [');
    await editor.getByTestId('policy-lint').getByText(/not valid JSON \(line 1/).waitFor();
    expect(await editor.getByRole('button', { name: 'Write policy' }).isDisabled()).toBe(true);

    await editor.locator('select[name=template]').selectOption('public-read');
    await editor.getByRole('button', { name: 'Use template' }).click();
    await editor.getByTestId('policy-explanation').getByText('Anyone (no keys needed) may read objects').waitFor();
    await editor.getByRole('button', { name: 'Write policy' }).click();
    await page.getByTestId('settings-message').getByText('Policy written.').waitFor();

    const anon = rgwClient('anonymous');
    expect(await (await anon.send(ops.GetObject, { bucket, key: 'shared/data.txt' })).body.text()).toBe('for everyone');
    await expect(anon.send(ops.ListObjectsV2, { bucket })).rejects.toBeInstanceOf(S3Error);

    await editor.getByRole('button', { name: 'Delete policy…' }).click();
    await editor.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByTestId('settings-message').getByText('Policy deleted').waitFor();
    await expect(anon.send(ops.GetObject, { bucket, key: 'shared/data.txt' })).rejects.toMatchObject({ code: 'AccessDenied' });
    await context.close();
  });
});
