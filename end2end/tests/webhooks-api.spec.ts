// One-click webhook setup through e-conomic's Webhooks API, as a new user does it:
// connect, tick the product webhook box, let the app create the webhook in e-conomic (the
// bundled simulator), change a product on the simulator's page and see the event arrive; then
// e-conomic disables the webhook, "Check now" shows the warning, and the re-enable works; a new
// URL is followed in e-conomic at once; an unticked box offers the delete.
import * as fs from 'fs';
import * as path from 'path';
import { expect, Page, test, TestInfo } from '@playwright/test';
import { hydrated, signUp, signUpWithoutJs, uniqueEmail } from './helpers';

const SIM = `http://${process.env.SIM_ADDR ?? `127.0.0.1:${process.env.E2E_SIM_PORT ?? 3105}`}`;
const SHOTS_DIR = '/tmp/shots';

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(name);
  await page.screenshot({ path: file, fullPage: true });
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  fs.copyFileSync(file, path.join(SHOTS_DIR, name));
}

test('tick a box, create the webhook in e-conomic, see a change arrive, re-enable it, follow a new URL, delete it', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  page.on('console', (m) => { if (m.type() === 'error') console.log('BROWSER', m.text()); });
  page.on('pageerror', (e) => console.log('PAGEERROR', e.message));
  const run = `${Date.now().toString(36).slice(-5)}${Math.floor(Math.random() * 1296).toString(36)}`;
  const productNumber = `API-${run}`;

  await signUp(page, `Hooks ${run} ApS`, 'Jens', uniqueEmail('hooks'));
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.goto('/settings/apps/economic');
  await hydrated(page);
  const connect = page.locator('[data-test="connect-form"]');
  await connect.locator('input[name="grant_token"]').fill('demo');
  await connect.getByRole('button', { name: 'Connect' }).click();
  await expect(page.locator('[data-test="economic-connected"]')).toBeVisible();

  // The simulator's one agreement is shared by every spec's company: start with no webhooks
  // (e-conomic allows one per type and agreement).
  expect((await page.request.delete(`${SIM}/_sim/api/webhooks`)).status()).toBe(204);

  // Tick the product webhook box and save: "the app creates it for me" is the default, as the
  // agreement allows the Webhooks API.
  await page.goto('/settings/apps/economic/advanced');
  await hydrated(page);
  await page.getByLabel('Sync products every hour').uncheck();
  await page.getByLabel('Activate webhooks – live transfer of products').check();
  const setup = page.locator('[data-test="economic-products"]');
  await expect(setup.locator('[data-test="mode-products"]')).toHaveAttribute('data-mode', 'automatic');
  await page.locator('[data-test="save-settings"]').click();
  await expect(page.locator('[data-test="saved"]')).toBeVisible();
  await expect(setup.locator('[data-test="economic-outcome-products"]')).toHaveText('Created in e-conomic.');
  await expect(setup.locator('[data-test="economic-health-products"]')).toContainText('enabled and pointing at the current URL');
  await shot(page, testInfo, 'webhooks-api-created.png');

  // The simulator lists the webhook as made through the Webhooks API.
  const sim = await page.context().newPage();
  await sim.goto(`${SIM}/_sim/`);
  await expect(sim.locator('tr[data-kind="products"]').filter({ hasText: 'Webhooks API' }).first()).toBeVisible();
  // Create a product there: its event arrives.
  const form = sim.locator('form[action="/_sim/ui/product"]');
  await form.locator('input[name="number"]').fill(productNumber);
  await form.locator('input[name="name"]').fill(`Vare ${run}`);
  await form.locator('input[name="price"]').fill('10');
  await form.getByRole('button').click();
  await expect(sim.locator('p strong')).toHaveText(`Created product ${productNumber}`);

  const events = page.locator('[data-test="events"] tbody tr').filter({ hasText: productNumber });
  await expect(async () => {
    await page.goto('/events');
    await expect(events.first()).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000, intervals: [1_000] });
  await hydrated(page);

  // e-conomic disables the webhook (as after failed deliveries).
  await sim.goto(`${SIM}/_sim/`);
  const disable = sim.locator('form[action="/_sim/ui/webhook/disable"]');
  await disable.locator('select[name="kind"]').selectOption('products');
  await disable.getByRole('button').click();
  await expect(sim.locator('p strong')).toContainText('Disabled');

  // "Check now" shows it; one click re-enables it.
  await page.goto('/settings/apps/economic/advanced');
  await hydrated(page);
  await page.locator('[data-test="check-economic"]').click();
  await expect(setup.locator('[data-test="economic-health-products"]')).toContainText('e-conomic has disabled the webhook');
  await shot(page, testInfo, 'webhooks-api-disabled.png');
  await expect(setup.locator('[data-test="create-in-economic-products"]')).toHaveText('Re-enable in e-conomic');
  await setup.locator('[data-test="create-in-economic-products"]').click();
  await expect(setup.locator('[data-test="economic-outcome-products"]')).toHaveText('Re-enabled in e-conomic.');
  await expect(setup.locator('[data-test="economic-health-products"]')).toContainText('enabled and pointing at the current URL');
  await shot(page, testInfo, 'webhooks-api-reenabled.png');

  // A new URL: e-conomic's webhook follows in the same step.
  const oldUrl = await page.locator('[data-test="value-products-url"]').inputValue();
  await page.locator('[data-test="regenerate-products"]').click();
  await expect(page.locator('[data-test="value-products-url"]')).not.toHaveValue(oldUrl);
  await expect(setup.locator('[data-test="economic-outcome-products"]')).toHaveText('Updated in e-conomic.');
  await expect(setup.locator('[data-test="economic-health-products"]')).toContainText('enabled and pointing at the current URL');

  // Untick the box and save: the page offers to delete the webhook in e-conomic.
  await page.getByLabel('Activate webhooks – live transfer of products').uncheck();
  await page.locator('[data-test="save-settings"]').click();
  await expect(page.locator('[data-test="saved"]')).toBeVisible();
  await page.locator('[data-test="delete-in-economic-products"]').click();
  await expect(page.locator('[data-test="economic-outcome-products"]')).toContainText('Deleted in e-conomic.');
  await sim.goto(`${SIM}/_sim/`);
  await expect(sim.locator('tr[data-kind="products"]').filter({ hasText: 'Webhooks API' })).toHaveCount(0);
});

test('without JavaScript: saving creates the webhook the app makes and shows the outcome', async ({ browser, request }) => {
  expect((await request.delete(`${SIM}/_sim/api/webhooks`)).status()).toBe(204);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signUpWithoutJs(page, 'Plain hooks ApS', 'Ole', uniqueEmail('plainhooks'));
  await page.goto('/settings/apps/economic');
  const connect = page.locator('[data-test="connect-form"]');
  await connect.locator('input[name="grant_token"]').fill('demo');
  await connect.locator('button[type="submit"]').click();
  await expect(page.locator('[data-test="economic-connected"]')).toBeVisible();

  await page.goto('/settings/apps/economic/advanced');
  await page.getByLabel('Synkronisér kunder hver time').uncheck();
  await page.locator('[data-test="save-settings"]').click();
  await expect(page.locator('[data-test="saved"]')).toBeVisible();
  await page.getByLabel('Aktivér webhooks - live overførsel af kunder').check();
  // "The app creates it for me" is the default: saving creates the webhook in e-conomic.
  await page.locator('[data-test="save-settings"]').click();
  await expect(page.locator('[data-test="economic-outcome-customers"]')).toHaveText(/Oprettet i e-conomic|Opdateret i e-conomic/);
  await expect(page.locator('[data-test="economic-health-customers"]')).toContainText('peger på den aktuelle URL');
  // The manual values stay below it.
  await expect(page.locator('[data-test="value-customers-url"]')).toHaveValue(/\/webhooks\/economic\//);
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS_DIR, 'webhooks-api-nojs-da.png'), fullPage: true });
  await context.close();
});
