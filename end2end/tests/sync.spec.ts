// The sync engine end to end, as a user sees it: connect e-conomic (the bundled simulator),
// switch customers and products to webhooks and turn on the invoice webhook, register the
// webhook URLs in "e-conomic", then change things there and watch them arrive: a new product
// (and its update), a booked invoice that moves stock, and a customer that is created,
// renumbered and deleted.
//
// Other tests register webhooks on the same simulator, so every assertion here is about this
// test's own company (the app's pages only ever show the logged-in company's data) and about
// records with numbers only this run uses.
import * as fs from 'fs';
import * as path from 'path';
import { APIRequestContext, expect, Page, request, test, TestInfo } from '@playwright/test';
import { chooseManual, hydrated, signUp, uniqueEmail } from './helpers';

const SIM = `http://${process.env.SIM_ADDR ?? `127.0.0.1:${process.env.E2E_SIM_PORT ?? 3105}`}`;
/** Where a person can look at the screenshots after the run. */
const SHOTS_DIR = '/tmp/shots';
/** How long a change in e-conomic may take to show in the app. */
const SYNC_TIMEOUT = 20_000;

/**
 * Opens `url` again and again (about once a second) until `check` passes: the data pages are
 * server-rendered, so a reload is what a user would do to see new data.
 */
async function reloadUntil(page: Page, url: string, check: () => Promise<void>): Promise<void> {
  await expect(async () => {
    await page.goto(url);
    await check();
  }).toPass({ timeout: SYNC_TIMEOUT, intervals: [1_000] });
  await hydrated(page);
}

/** A full-page screenshot into the test's output folder, copied to /tmp/shots/. */
async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(name);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  fs.copyFileSync(file, path.join(SHOTS_DIR, name));
}

/** Submits one of the simulator page's forms (`/_sim/`) and checks its confirmation. */
async function simForm(sim: Page, action: string, fields: Record<string, string>, confirmation: string): Promise<void> {
  await sim.goto(`${SIM}/_sim/`);
  const form = sim.locator(`form[action="${action}"]`);
  for (const [name, value] of Object.entries(fields)) {
    await form.locator(`input[name="${name}"]`).fill(value);
  }
  await form.getByRole('button').click();
  await expect(sim.locator('p strong')).toHaveText(confirmation);
}

test('changes in e-conomic reach products, stock, invoices, customers and the event history', async ({ page }, testInfo) => {
  // Five waits for the sync of up to SYNC_TIMEOUT each, on a machine that may be busy.
  test.setTimeout(120_000);
  // Numbers only this run uses. The product number holds a "/" so that its page's URL must
  // encode it.
  const run = `${Date.now().toString(36).slice(-5)}${Math.floor(Math.random() * 36 ** 2).toString(36)}`;
  const productNumber = `E2E/${run}`;
  const productName = `Testvare ${run}`;
  const customerNumber = 100_000 + Math.floor(Math.random() * 800_000);
  const renumberedTo = customerNumber + 1_000_000;
  const customerName = `Testkunde ${run}`;

  // 1. Sign up, connect e-conomic with the simulator's grant token.
  await signUp(page, `Sync ${run} ApS`, 'Karen', uniqueEmail('sync'));
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.goto('/settings/apps/economic');
  await hydrated(page);
  const connect = page.locator('[data-test="connect-form"]');
  await connect.locator('input[name="grant_token"]').fill('demo');
  await connect.getByRole('button', { name: 'Connect' }).click();
  await expect(page.locator('[data-test="economic-connected"]')).toBeVisible();

  // Advanced settings: hourly off, the three webhooks on, saved.
  await page.getByRole('link', { name: 'Advanced settings' }).click();
  await expect(page).toHaveURL(/\/advanced$/);
  await hydrated(page);
  await page.getByLabel('Sync customers every hour').uncheck();
  await page.getByLabel('Activate webhooks – live transfer of customers').check();
  await page.getByLabel('Sync products every hour').uncheck();
  await page.getByLabel('Activate webhooks – live transfer of products').check();
  await page.getByLabel('Import booked invoices (webhook)').check();
  // The manual copy-paste flow: "I create it myself", so the app does not create them.
  await chooseManual(page, ['customers', 'products', 'invoices']);
  await page.locator('[data-test="save-settings"]').click();
  await expect(page.locator('[data-test="saved"]')).toBeVisible();

  // The three URLs as the page shows them (after a reload: what was saved).
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel('Import booked invoices (webhook)')).toBeChecked();
  const urls: Record<string, string> = {};
  for (const kind of ['customers', 'products', 'invoices']) {
    const value = page.locator(`[data-test="webhook-${kind}"] [data-test="value-${kind}-url"]`);
    await expect(value).toHaveValue(/\/webhooks\/economic\//);
    urls[kind] = await value.inputValue();
  }

  // In "e-conomic": one webhook per kind, Rackbeat's templates (other tests' webhooks stay).
  const api: APIRequestContext = await request.newContext();
  // `kind` is the entity's slug (economic::Entity): customers, products, invoices.
  for (const [kind, name, postData] of [
    ['customers', 'Kunde opdateret', '[OLDNUMBER]&[NEWNUMBER]'],
    ['products', 'Vare opdateret', '[OLDNUMBER]&[NEWNUMBER]'],
    ['invoices', 'Faktura bogført', '[INVOICENO]'],
  ]) {
    const res = await api.post(`${SIM}/_sim/api/webhooks`, {
      data: { kind, name: `${name} ${run}`, url: urls[kind], postData, contentType: 'application/x-www-form-urlencoded' },
    });
    expect(res.status()).toBe(201);
  }

  // 2. Create a product on the simulator's page, then change its price: the product appears.
  const sim = await page.context().newPage();
  await simForm(sim, '/_sim/ui/product', { number: productNumber, name: productName, price: '100' }, `Created product ${productNumber}`);
  await simForm(sim, '/_sim/ui/product', { number: productNumber, name: `${productName} v2`, price: '125.5' }, `Updated product ${productNumber}`);

  const productRow = page.locator(`[data-test="products"] tr[data-product="${productNumber}"]`);
  await reloadUntil(page, '/products', async () => {
    await expect(productRow).toContainText(`${productName} v2`, { timeout: 1_000 });
  });
  await expect(productRow.getByRole('link', { name: productNumber })).toHaveAttribute('href', `/products/${encodeURIComponent(productNumber)}`);
  await expect(productRow.locator('[data-test="stock"]')).toHaveText('0');
  await expect(productRow).toContainText('125.50');

  // The event history: the product's events were processed, each with a note saying what happened.
  const events = page.locator('[data-test="events"] tbody tr');
  const productEvents = events.filter({ hasText: productNumber });
  await reloadUntil(page, '/events', async () => {
    await expect(productEvents.first()).toBeVisible({ timeout: 1_000 });
    // Nothing of this product still waiting, failed or rejected.
    await expect(productEvents.and(page.locator(':not([data-status="processed"])'))).toHaveCount(0, { timeout: 1_000 });
  });
  const processed = page.locator('[data-test="events"] tbody tr[data-status="processed"]').filter({ hasText: productNumber });
  expect(await processed.count()).toBeGreaterThanOrEqual(1);
  for (const note of await processed.locator('[data-test="note"]').all()) {
    await expect(note).not.toBeEmpty();
    expect((await note.innerText()).trim()).not.toBe('');
  }
  await expect(processed.filter({ hasText: 'Product updated' }).first()).toBeVisible();
  await shot(page, testInfo, 'events.png');

  // 3. Book an invoice of 2 of the product; a customer the simulator was seeded with.
  const booked = await api.post(`${SIM}/_sim/api/invoices`, {
    data: { customerNumber: 1, lines: [{ productNumber, quantity: 2 }] },
  });
  expect(booked.status()).toBe(201);
  const invoiceNumber: number = (await booked.json()).bookedInvoiceNumber;
  expect(invoiceNumber).toBeGreaterThan(0);

  const invoiceRow = page.locator(`[data-test="invoices"] tr[data-invoice="${invoiceNumber}"]`);
  await reloadUntil(page, '/invoices', async () => {
    await expect(invoiceRow).toBeVisible({ timeout: 1_000 });
  });
  await expect(invoiceRow.getByRole('link', { name: String(invoiceNumber) })).toHaveAttribute('href', `/invoices/${invoiceNumber}`);
  await expect(invoiceRow.locator('td').last()).toHaveText('1');

  // The invoice's page: one line, the product linked.
  await invoiceRow.getByRole('link', { name: String(invoiceNumber) }).click();
  await expect(page).toHaveURL(new RegExp(`/invoices/${invoiceNumber}$`));
  const line = page.locator('[data-test="lines"] tbody tr');
  await expect(line).toHaveCount(1);
  await expect(line.getByRole('link', { name: productNumber })).toBeVisible();
  await expect(line.locator('td').nth(3)).toHaveText('2');

  // The product's own page: stock -2 and one movement, linked to the invoice.
  await hydrated(page);
  await line.getByRole('link', { name: productNumber }).click();
  await expect(page).toHaveURL(new RegExp(`/products/${encodeURIComponent(productNumber)}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText(productNumber);
  await expect(page.locator('.stock-on-hand [data-test="stock"]')).toHaveText('-2');
  await expect(page.locator('.stock-on-hand [data-test="stock"]')).toHaveClass(/negative/);
  const movements = page.locator('[data-test="movements"] tbody tr');
  await expect(movements).toHaveCount(1);
  await expect(movements.getByRole('link', { name: String(invoiceNumber) })).toHaveAttribute('href', `/invoices?q=${invoiceNumber}`);
  await expect(movements.locator('td').last()).toHaveText('-2');
  await shot(page, testInfo, 'product.png');

  // The list shows the same stock, in red.
  await page.goto('/products');
  await expect(productRow.locator('[data-test="stock"]')).toHaveText('-2');
  await expect(productRow.locator('[data-test="stock"]')).toHaveClass(/negative/);
  await hydrated(page);
  await shot(page, testInfo, 'products.png');

  // The invoice event says what it stored.
  const invoiceEvent = page
    .locator('[data-test="events"] tbody tr')
    .filter({ hasText: 'Invoice booked' })
    .filter({ has: page.locator('td.mono', { hasText: new RegExp(`^${invoiceNumber}$`) }) });
  await reloadUntil(page, '/events', async () => {
    await expect(invoiceEvent).toHaveAttribute('data-status', 'processed', { timeout: 1_000 });
  });
  await expect(invoiceEvent.locator('[data-test="note"]')).toContainText('Invoice stored: 1 lines, 1 stock movements');

  // 4. A customer: created, renumbered, then deleted in e-conomic (the simulator's page).
  await simForm(sim, '/_sim/ui/customer', { number: String(customerNumber), name: customerName }, `Created customer ${customerNumber}`);
  const customerRow = (n: number) => page.locator(`[data-test="customers"] tr[data-customer="${n}"]`);
  await reloadUntil(page, '/customers', async () => {
    await expect(customerRow(customerNumber)).toContainText(customerName, { timeout: 1_000 });
  });

  await simForm(sim, '/_sim/ui/customer', { number: String(customerNumber), new_number: String(renumberedTo) }, `Renumbered customer ${customerNumber} → ${renumberedTo}`);
  await reloadUntil(page, '/customers', async () => {
    await expect(customerRow(renumberedTo)).toContainText(customerName, { timeout: 1_000 });
    await expect(customerRow(customerNumber)).toHaveCount(0, { timeout: 1_000 });
  });
  await expect(customerRow(renumberedTo).locator('[data-test="deleted"]')).toHaveCount(0);

  await simForm(sim, '/_sim/ui/customer/delete', { number: String(renumberedTo) }, `Deleted customer ${renumberedTo}`);
  await reloadUntil(page, '/customers', async () => {
    await expect(customerRow(renumberedTo).locator('[data-test="deleted"]')).toBeVisible({ timeout: 1_000 });
  });
  await expect(customerRow(renumberedTo)).toHaveClass(/deleted/);
  await shot(page, testInfo, 'customers.png');

  // The renumbering is in the history, with where the customer came from.
  const renumbered = page
    .locator('[data-test="events"] tbody tr[data-status="processed"]')
    .filter({ hasText: `${customerNumber} → ${renumberedTo}` });
  await reloadUntil(page, '/events', async () => {
    await expect(renumbered.first()).toBeVisible({ timeout: 1_000 });
  });
  await expect(renumbered.first().locator('[data-test="note"]')).not.toBeEmpty();
  await shot(page, testInfo, 'events-after.png');

  await sim.close();
  await api.dispose();
});
