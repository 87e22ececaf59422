import { chromium } from 'playwright-core';
const [,, base, email, ...paths] = process.argv;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
await page.goto(base + '/login');
await page.fill('#f-email', email);
await page.fill('#f-password', 'clacks-demo-2026');
await page.click('button[type=submit]');
await page.waitForLoadState('load');
for (const p of paths) {
  const [path, file] = p.split('=');
  await page.goto(base + path);
  await page.screenshot({ path: file, fullPage: true });
  console.log(path, '->', file);
}
await browser.close();
