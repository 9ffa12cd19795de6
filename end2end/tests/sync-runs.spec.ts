// Sync runs as a user sees them on the Sync tab: connect e-conomic (the bundled simulator) with
// the default settings (hourly sync ticked), watch the first import of products finish, press
// "Sync now" and see a new last run with its API calls; the API budget counts the calls; the
// event history lists every run.
//
// Other tests use the same simulator, so every assertion is about this test's own company (the
// app's pages only ever show the logged-in company's data).
import * as fs from 'fs';
import * as path from 'path';
import { expect, Locator, Page, test, TestInfo } from '@playwright/test';
import { hydrated, signUp, uniqueEmail } from './helpers';

/** Where a person can look at the screenshots after the run. */
const SHOTS_DIR = '/tmp/shots';
/** How long the import or a sync may take on a busy machine. */
const SYNC_TIMEOUT = 30_000;

/** A full-page screenshot into the test's output folder, copied to /tmp/shots/. */
async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(name);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  fs.copyFileSync(file, path.join(SHOTS_DIR, name));
}

/** A number as the page writes it (`1,234` in English). */
async function numberIn(locator: Locator): Promise<number> {
  return Number((await locator.innerText()).replace(/[^0-9]/g, ''));
}

test('the Sync tab follows the first import and "Sync now", and the history lists the runs', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const run = `${Date.now().toString(36).slice(-5)}${Math.floor(Math.random() * 36 ** 2).toString(36)}`;

  // 1. Sign up and connect e-conomic; Advanced settings stay as they are (hourly sync ticked).
  await signUp(page, `Runs ${run} ApS`, 'Mads', uniqueEmail('runs'));
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.goto('/settings/apps/economic');
  await hydrated(page);
  const connect = page.locator('[data-test="connect-form"]');
  await connect.locator('input[name="grant_token"]').fill('demo');
  await connect.getByRole('button', { name: 'Connect' }).click();
  await expect(page.locator('[data-test="economic-connected"]')).toBeVisible();

  // 2. The Sync tab: the first import of products ends as imported, by itself (no reload).
  await page.getByRole('link', { name: 'Sync', exact: true }).click();
  await expect(page).toHaveURL(/\/settings\/apps\/economic\/sync$/);
  await hydrated(page);
  await expect(page.locator('[data-test="sync-not-connected"]')).toHaveCount(0);
  await expect(page.locator('[data-test="mode-products"]')).toHaveText('every hour');
  const productsImport = page.locator('[data-test="import-progress-products"]');
  await expect(productsImport).toHaveAttribute('data-state', 'imported', { timeout: SYNC_TIMEOUT });
  await expect(productsImport).toContainText('imported');
  for (const entity of ['customers', 'invoices']) {
    await expect(page.locator(`[data-test="import-progress-${entity}"]`)).toHaveAttribute('data-state', 'imported', { timeout: SYNC_TIMEOUT });
  }
  const lastRun = page.locator('[data-test="last-run-products"]');
  await expect(lastRun).toHaveAttribute('data-run', /^\d+$/);
  await expect(lastRun.locator('[data-test="api-calls"]')).not.toHaveText('0');

  // The API budget counts what connecting and importing cost, of 50,000.
  const used = page.locator('[data-test="budget-used"]');
  expect(await numberIn(used)).toBeGreaterThan(0);
  await expect(page.locator('[data-test="budget-limit"]')).toHaveText('50,000');
  await shot(page, testInfo, 'sync-tab.png');

  // 3. "Sync now" for products, once nothing else of products waits or runs (the hourly sync may
  // start right after the import): started, and a new last run appears with its API calls.
  const before = Number(await lastRun.getAttribute('data-run'));
  await expect(page.locator('[data-test="active-run-products"]')).toHaveCount(0, { timeout: SYNC_TIMEOUT });
  await expect(async () => {
    await page.locator('[data-test="sync-now-products"]').click();
    await expect(page.locator('[data-test="sync-started"]')).toHaveText('A sync of products has started.', { timeout: 2_000 });
  }).toPass({ timeout: SYNC_TIMEOUT, intervals: [1_000] });
  await expect(page).toHaveURL(/started=products/);
  await expect(async () => {
    expect(Number(await lastRun.getAttribute('data-run'))).toBeGreaterThan(before);
  }).toPass({ timeout: SYNC_TIMEOUT });
  await expect(lastRun.locator('.pill')).toHaveText('done');
  expect(await numberIn(lastRun.locator('[data-test="api-calls"]'))).toBeGreaterThan(0);
  await expect(lastRun).toContainText('API calls');
  expect(await numberIn(used)).toBeGreaterThan(0);
  await shot(page, testInfo, 'sync-tab-after.png');

  // No run of this company failed.
  await expect(page.locator('.sync-entity .pill.run-failed')).toHaveCount(0);

  // 4. The event history's run view: the imports and the sync now, newest first, each done.
  await page.goto('/events');
  await hydrated(page);
  await page.locator('[data-test="view-runs"]').click();
  await expect(page).toHaveURL(/view=runs/);
  const rows = page.locator('[data-test="runs"] tbody tr');
  const manual = rows.filter({ hasText: 'sync now' }).filter({ hasText: 'Products' });
  await expect(manual.first()).toHaveAttribute('data-status', 'done');
  for (const entity of ['Customers', 'Products', 'Booked invoices']) {
    await expect(rows.filter({ hasText: 'first import' }).filter({ hasText: entity })).toHaveCount(1);
  }
  const ids = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-run'))));
  expect(ids).toEqual([...ids].sort((a, b) => b - a));
  await shot(page, testInfo, 'sync-runs.png');

  // The same tab in Danish.
  await page.goto('/settings/apps/economic/sync');
  await page.getByRole('link', { name: 'Dansk' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'da');
  await hydrated(page);
  await expect(page.locator('[data-test="sync-now-products"]')).toHaveText('Synkronisér nu');
  await expect(page.locator('[data-test="budget-limit"]')).toHaveText('50.000');
  await shot(page, testInfo, 'sync-tab-da.png');
});
