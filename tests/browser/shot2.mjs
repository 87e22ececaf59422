import { chromium } from 'playwright-core';
const [,, base, email, path, prefix, n] = process.argv;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
const page = await context.newPage();
await page.goto(base + '/login');
await page.fill('#f-email', email);
await page.fill('#f-password', 'clacks-demo-2026');
await page.click('button[type=submit]');
await page.waitForLoadState('load');
await page.goto(base + path);
for (let i = 0; i < Number(n); i++) {
  await page.screenshot({ path: `${prefix}-${i}.png`, clip: { x: 0, y: i * 1000, width: 1280, height: 1000 }, fullPage: true });
}
await browser.close();
