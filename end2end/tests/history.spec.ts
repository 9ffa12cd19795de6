// The event history as a support person uses it: e-conomic fails, the failed event appears
// in the filtered history without a reload, its page says why it failed; the cause is fixed
// on the simulator, the event is replayed and turns processed on the page without a reload;
// the filtered view is exported as CSV.
//
// The simulator's fault knobs are shared by every spec: this one puts them back as it found
// them, whatever happens.
import * as fs from 'fs';
import * as path from 'path';
import { expect, Page, request, test, TestInfo } from '@playwright/test';
import { chooseManual, hydrated, signUp, uniqueEmail } from './helpers';

const SIM = `http://${process.env.SIM_ADDR ?? `127.0.0.1:${process.env.E2E_SIM_PORT ?? 3105}`}`;
const SHOTS_DIR = '/tmp/shots';
/** How long a change may take to show (the worker's first attempt, the live stream). */
const LIVE_TIMEOUT = 30_000;

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(name);
  await page.screenshot({ path: file, fullPage: true });
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  fs.copyFileSync(file, path.join(SHOTS_DIR, name));
}

test('filter the history, read why an event failed, replay it and watch it turn processed; export CSV', async ({ page }, testInfo) => {
  test.setTimeout(150_000);
  const run = `${Date.now().toString(36).slice(-5)}${Math.floor(Math.random() * 36 ** 2).toString(36)}`;
  const productNumber = `H-${run}`;
  const api = await request.newContext();
  const knobs = await (await api.get(`${SIM}/_sim/api/knobs`)).json();
  try {
    // A company on live product webhooks, registered in "e-conomic".
    await signUp(page, `History ${run} ApS`, 'Sofie', uniqueEmail('history'));
    await page.getByRole('link', { name: 'English' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await page.goto('/settings/apps/economic');
    await hydrated(page);
    const connect = page.locator('[data-test="connect-form"]');
    await connect.locator('input[name="grant_token"]').fill('demo');
    await connect.getByRole('button', { name: 'Connect' }).click();
    await expect(page.locator('[data-test="economic-connected"]')).toBeVisible();
    await page.goto('/settings/apps/economic/advanced');
    await hydrated(page);
    await page.getByLabel('Sync products every hour').uncheck();
    await page.getByLabel('Activate webhooks – live transfer of products').check();
    // The manual copy-paste flow: "I create it myself", so the app does not create it.
    await chooseManual(page, ['products']);
    await page.locator('[data-test="save-settings"]').click();
    await expect(page.locator('[data-test="saved"]')).toBeVisible();
    await page.reload();
    await hydrated(page);
    const url = await page.locator('[data-test="webhook-products"] [data-test="value-products-url"]').inputValue();
    const added = await api.post(`${SIM}/_sim/api/webhooks`, {
      data: { kind: 'products', name: `Vare opdateret ${run}`, url, postData: '[OLDNUMBER]&[NEWNUMBER]', contentType: 'application/x-www-form-urlencoded' },
    });
    expect(added.status()).toBe(201);

    // The history filtered to this product's failed events: a plain GET form, kept in the URL.
    await page.goto('/events');
    await hydrated(page);
    const filters = page.locator('[data-test="filters"]');
    await filters.locator('[data-test="filter-kind"]').selectOption('products');
    await filters.locator('[data-test="filter-status"]').selectOption('failed');
    await filters.locator('[data-test="filter-number"]').fill(productNumber);
    await filters.locator('[data-test="filter-submit"]').click();
    await expect(page).toHaveURL(new RegExp(`/events\\?kind=products&status=failed.*number=${productNumber}`));
    await hydrated(page);
    await expect(page.locator('[data-test="events"]')).toHaveCount(0);

    // e-conomic answers every API call with 500; a product is created there.
    expect((await api.put(`${SIM}/_sim/api/knobs`, { data: { ...knobs, error_rate: 1.0 } })).status()).toBeLessThan(300);
    // The page must not reload from here on: a marker on the window would be lost.
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    const sim = await page.context().newPage();
    await sim.goto(`${SIM}/_sim/`);
    const form = sim.locator('form[action="/_sim/ui/product"]');
    await form.locator('input[name="number"]').fill(productNumber);
    await form.locator('input[name="name"]').fill(`Historikvare ${run}`);
    await form.locator('input[name="price"]').fill('10');
    await form.getByRole('button').click();
    await expect(sim.locator('p strong')).toHaveText(`Created product ${productNumber}`);
    await sim.close();

    // The failed event appears in the filtered list by itself.
    const row = page.locator('[data-test="events"] tbody tr').filter({ hasText: productNumber });
    await expect(row.first()).toHaveAttribute('data-status', 'failed', { timeout: LIVE_TIMEOUT });
    await expect(page.locator('[data-count="failed"] strong')).not.toHaveText('0');
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    await shot(page, testInfo, 'history-failed.png');

    // Its page says why: e-conomic's 500, in the note and in the attempt.
    await row.first().locator('[data-test="open"]').click();
    await expect(page).toHaveURL(/\/events\/\d+$/);
    await hydrated(page);
    await expect(page.locator('[data-test="event-title"] [data-test="status"]')).toHaveText(/failed/i);
    await expect(page.locator('[data-test="attempts"] [data-test="attempt"]').first()).toContainText('500');
    await expect(page.locator('[data-test="body"]')).toHaveText(`&${productNumber}`);
    await expect(page.locator('[data-test="record-link"]')).toHaveAttribute('href', `/products/${productNumber}`);
    await shot(page, testInfo, 'event-failed.png');

    // Fix the cause in "e-conomic", replay, and watch the status turn processed.
    expect((await api.put(`${SIM}/_sim/api/knobs`, { data: knobs })).status()).toBeLessThan(300);
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    await page.locator('[data-test="replay"]').click();
    await expect(page.locator('[data-test="event-title"] [data-test="status"]')).toHaveText(/processed/i, { timeout: LIVE_TIMEOUT });
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    await expect(page.locator('[data-test="attempts"] [data-test="attempt"]').last()).toContainText(/processed/i);
    await shot(page, testInfo, 'event-processed.png');

    // The history of this product, exported as CSV.
    await page.goto(`/events?number=${productNumber}`);
    await hydrated(page);
    await expect(page.locator('[data-test="events"] tbody tr').first()).toHaveAttribute('data-status', 'processed');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="export"]').click()]);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('id,received_at,kind,action,old_number,new_number,invoice_number,status,attempts,processed_at,next_attempt_at,outcome,error,content_type,query,body');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[1]).toContain(`,products,created,,${productNumber},,processed,`);
    await shot(page, testInfo, 'history.png');
  } finally {
    await api.put(`${SIM}/_sim/api/knobs`, { data: knobs });
  }
});
