// The Advanced Settings flow of the Danish guide, in Chromium: connect e-conomic (the bundled
// simulator), switch customers and products from hourly sync to webhooks, copy each URL and
// value, configure the simulator with the copied URLs, change records there, and watch the
// events arrive in the event history.
import { expect, request, test } from '@playwright/test';
import { hydrated, signUp, signUpWithoutJs, uniqueEmail } from './helpers';

const SIM = `http://${process.env.SIM_ADDR ?? `127.0.0.1:${process.env.E2E_SIM_PORT ?? 3105}`}`;
const SIM_HEADERS = { 'X-AppSecretToken': 'demo', 'X-AgreementGrantToken': 'demo', 'Content-Type': 'application/json' };

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test('hourly and webhook exclude each other; copied URLs receive e-conomic webhooks', async ({ page }) => {
  await signUp(page, 'Webhook ApS', 'Sofie', uniqueEmail('settings'));
  await page.getByRole('link', { name: 'English' }).click();

  // Settings → Apps → e-conomic → Settings.
  await page.goto('/settings');
  await hydrated(page);
  await expect(page.locator('[data-test="economic-tile"]')).toContainText('Not connected');
  await page.locator('[data-test="economic-tile"]').getByRole('link', { name: 'Settings' }).click();
  await expect(page).toHaveURL(/\/settings\/apps\/economic$/);

  // Demo mode says which grant token the simulator takes and where its page is.
  await hydrated(page);
  const hint = page.locator('[data-test="demo-hint"]');
  await expect(hint).toContainText('accepts the grant token demo');
  await expect(hint.getByRole('link')).toHaveAttribute('href', `${SIM}/_sim/`);

  // A wrong grant token is refused with a clear message; the simulator's token connects.
  const connect = page.locator('[data-test="connect-form"]');
  await connect.locator('input[name="grant_token"]').fill('not-a-token');
  await connect.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByRole('alert')).toContainText('e-conomic did not accept this grant token');
  await connect.locator('input[name="grant_token"]').fill('demo');
  await connect.getByRole('button', { name: 'Connect' }).click();
  await expect(page.locator('[data-test="economic-connected"]')).toBeVisible();

  // Advanced settings: the webhook boxes are disabled while hourly sync is ticked.
  await page.getByRole('link', { name: 'Advanced settings' }).click();
  await expect(page).toHaveURL(/\/advanced$/);
  await hydrated(page);
  const customersHourly = page.getByLabel('Sync customers every hour');
  const customersWebhook = page.getByLabel('Activate webhooks – live transfer of customers');
  const productsHourly = page.getByLabel('Sync products every hour');
  const productsWebhook = page.getByLabel('Activate webhooks – live transfer of products');
  await expect(customersHourly).toBeChecked();
  await expect(customersWebhook).toBeDisabled();
  await expect(page.getByText('Untick "Sync customers every hour" first')).toBeVisible();
  await expect(productsWebhook).toBeDisabled();

  // Untick hourly: the webhook box becomes clickable; tick it: the hourly box is now locked.
  await customersHourly.uncheck();
  await expect(customersWebhook).toBeEnabled();
  await customersWebhook.check();
  await expect(customersHourly).toBeDisabled();
  await productsHourly.uncheck();
  await productsWebhook.check();
  await page.getByLabel('Import booked invoices (webhook)').check();
  await expect(page.locator('[data-test="unsaved"]')).toBeVisible();

  // Save: the hint goes away, a confirmation shows, and a reload keeps the choice.
  await page.locator('[data-test="save-settings"]').click();
  await expect(page.locator('[data-test="saved"]')).toBeVisible();
  await expect(page.locator('[data-test="unsaved"]')).toHaveCount(0);
  await page.reload();
  await hydrated(page);
  await expect(customersWebhook).toBeChecked();
  await expect(customersHourly).not.toBeChecked();
  await expect(customersHourly).toBeDisabled();

  // Copy each value: the clipboard holds exactly what is shown; one "Copied" at a time.
  const urls: Record<string, string> = {};
  for (const kind of ['customers', 'products', 'invoices']) {
    const card = page.locator(`[data-test="webhook-${kind}"]`);
    await expect(card).toBeVisible();
    await card.locator(`[data-test="copy-${kind}-url"]`).click();
    await expect(card.locator(`[data-test="copy-${kind}-url"]`)).toHaveText('Copied');
    urls[kind] = await page.evaluate(() => navigator.clipboard.readText());
    await expect(card.locator(`[data-test="value-${kind}-url"]`)).toHaveValue(urls[kind]);
    expect(urls[kind]).toContain(`/webhooks/economic/`);
  }
  // Only the last button says "Copied".
  await expect(page.locator('.copy-button.copied')).toHaveCount(1);
  const customers = page.locator('[data-test="webhook-customers"]');
  await customers.locator('[data-test="copy-customers-data"]').click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('[OLDNUMBER]&[NEWNUMBER]');
  await customers.locator('[data-test="copy-customers-type"]').click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('Kunde opdateret');
  await customers.locator('[data-test="copy-customers-content-type"]').click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('application/x-www-form-urlencoded');
  await page.locator('[data-test="copy-invoices-data"]').click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('[INVOICENO]');

  // In "e-conomic" (the simulator): create the webhooks with the copied URLs, as the guide says.
  const sim = await request.newContext();
  await sim.delete(`${SIM}/_sim/api/webhooks`);
  for (const [kind, type] of [['customers', 'customer-updated'], ['products', 'product-updated'], ['invoices', 'invoice-booked']]) {
    const postData = kind === 'invoices' ? '[INVOICENO]' : '[OLDNUMBER]&[NEWNUMBER]';
    const res = await sim.post(`${SIM}/_sim/api/webhooks`, {
      data: { kind, name: type, url: urls[kind], postData, contentType: 'application/x-www-form-urlencoded' },
    });
    expect(res.status()).toBe(201);
  }

  // Change a customer and create a product in e-conomic: webhooks arrive in the history.
  const customer = await (await sim.get(`${SIM}/customers/1`, { headers: SIM_HEADERS })).json();
  customer.name = 'Renamed in e-conomic';
  const put = await sim.put(`${SIM}/customers/1`, { headers: SIM_HEADERS, data: customer });
  expect(put.ok()).toBeTruthy();

  await page.goto('/events');
  await hydrated(page);
  const rows = page.locator('[data-test="events"] tbody tr');
  await expect(rows.filter({ hasText: 'Customer updated' }).first()).toContainText('updated');
  // The workers re-fetch the customer and apply it; the page follows without a reload.
  await expect(rows.filter({ hasText: 'Customer updated' }).first()).toContainText('processed', { timeout: 15000 });

  // A template with a field e-conomic did not fill in is kept as rejected, its reason translated.
  const raw = await sim.post(urls['products'], {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    data: '[OLDNUMBER]&[NEWNUMBER]',
  });
  // Answered 2xx all the same: e-conomic would retry a 4xx and, after repeated failures,
  // switch the whole webhook off.
  expect(raw.status()).toBe(200);
  expect((await raw.json()).status).toBe('rejected');
  const rejected = rows.filter({ hasText: 'rejected' }).first();
  await expect(rejected).toContainText('Could not be read:');
  await expect(rejected.locator('code')).toContainText('[OLDNUMBER]');
  // The settings page warns about it.
  await page.goto('/settings/apps/economic/advanced');
  await expect(page.locator('[data-test="rejected-warning-products"]')).toBeVisible();
  await sim.dispose();
});

test('without JavaScript the settings still save, and the server refuses a forged combination', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signUpWithoutJs(page, 'Plain ApS', 'Ole', uniqueEmail('plain'));

  await page.goto('/settings/apps/economic/advanced');
  const customersHourly = page.getByLabel('Synkronisér kunder hver time');
  const customersWebhook = page.getByLabel('Aktivér webhooks - live overførsel af kunder');
  await expect(customersWebhook).toBeDisabled();
  await customersHourly.uncheck();
  await page.locator('[data-test="save-settings"]').click();
  await expect(page.locator('[data-test="saved"]')).toBeVisible();
  await expect(customersWebhook).toBeEnabled();
  await customersWebhook.check();
  await page.locator('[data-test="save-settings"]').click();
  await expect(customersWebhook).toBeChecked();
  await expect(customersHourly).toBeDisabled();
  // Without JavaScript the URL is a plain text field to select and copy.
  await expect(page.locator('[data-test="value-customers-url"]')).toHaveValue(/\/webhooks\/economic\//);

  // Forge the forbidden combination by hand: refused, nothing saved.
  const csrf = await page.locator('input[name="csrf_token"]').first().inputValue();
  const res = await page.request.post('/api/save_settings', {
    form: { csrf_token: csrf, customers_hourly: 'on', customers_webhook: 'on' },
  });
  expect(res.status()).toBe(422);
  expect(await res.text()).toContain('SettingsConflict');
  await page.reload();
  await expect(customersWebhook).toBeChecked();
  await expect(customersHourly).not.toBeChecked();
  await context.close();
});
