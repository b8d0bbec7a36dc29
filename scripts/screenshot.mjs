// Takes the README screenshot: `npm start` must be running (demo store + app on :5173).
import { chromium } from 'playwright-core';

const app = process.env.TESSERA_APP_URL ?? 'http://127.0.0.1:5173/';
const out = process.argv[2] ?? 'docs/explorer.png';
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1200, height: 720 } });
await page.goto(app);
await page.fill('input[name=endpoint]', 'http://127.0.0.1:7480');
await page.fill('input[name=accessKeyId]', 'TESSERATESTACCESSKEY01');
await page.fill('input[name=secretAccessKey]', 'tessera-test-secret-0000000000000000000');
await page.getByRole('button', { name: 'Connect' }).click();
await page.getByRole('heading', { name: 'Buckets' }).waitFor();
await page.goto(`${app}#/b/tessera-demo/climate/`);
await page.getByText('stations.csv').waitFor();
await page.waitForTimeout(500);
await page.screenshot({ path: out });
await browser.close();
console.log(`wrote ${out}`);
