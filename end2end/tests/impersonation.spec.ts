// Support staff help a company whose sync is stuck: log in with the second factor, find the
// company with a failed event, look at its account with a reason, see the banner, are refused
// a change, get write access with a second reason, replay the event, stop; the company's owner
// sees the visit on their support-access page.
import * as fs from 'fs';
import * as path from 'path';
import { expect, Page, request, test, TestInfo } from '@playwright/test';
import { chooseManual, createStaff, firstStaffLogIn, hydrated, signUp, uniqueEmail } from './helpers';

const SIM = `http://${process.env.SIM_ADDR ?? `127.0.0.1:${process.env.E2E_SIM_PORT ?? 3105}`}`;
const SHOTS_DIR = '/tmp/shots';
const LIVE_TIMEOUT = 30_000;
const REASON = 'Kunden melder at varer ikke opdateres';

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(name);
  await page.screenshot({ path: file, fullPage: true });
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  fs.copyFileSync(file, path.join(SHOTS_DIR, name));
}

test('staff look at a company read-only, elevate, replay and stop; the owner sees it', async ({ page, browser }, testInfo) => {
  test.setTimeout(150_000);
  const run = `${Date.now().toString(36).slice(-5)}${Math.floor(Math.random() * 36 ** 2).toString(36)}`;
  const company = `Support ${run} ApS`;
  const productNumber = `S-${run}`;
  const api = await request.newContext();
  const knobs = await (await api.get(`${SIM}/_sim/api/knobs`)).json();
  const owner = await browser.newPage();
  try {
    // A company on live product webhooks whose e-conomic fails: one failed event.
    await signUp(owner, company, 'Mette', uniqueEmail('support-owner'));
    await owner.goto('/settings/apps/economic');
    await hydrated(owner);
    const connect = owner.locator('[data-test="connect-form"]');
    await connect.locator('input[name="grant_token"]').fill('demo');
    await connect.locator('button[type="submit"]').click();
    await expect(owner.locator('[data-test="economic-connected"]')).toBeVisible();
    await owner.goto('/settings/apps/economic/advanced');
    await hydrated(owner);
    await owner.getByLabel('Synkronisér varer hver time').uncheck();
    await owner.getByLabel('Aktivér webhooks - live overførsel af varer').check();
    // The manual copy-paste flow: the app does not create the webhooks in e-conomic.
    await chooseManual(owner, ['products']);
    await owner.locator('[data-test="save-settings"]').click();
    await expect(owner.locator('[data-test="saved"]')).toBeVisible();
    await owner.reload();
    await hydrated(owner);
    const url = await owner.locator('[data-test="webhook-products"] [data-test="value-products-url"]').inputValue();
    const added = await api.post(`${SIM}/_sim/api/webhooks`, {
      data: { kind: 'products', name: `Vare opdateret ${run}`, url, postData: '[OLDNUMBER]&[NEWNUMBER]', contentType: 'application/x-www-form-urlencoded' },
    });
    expect(added.status()).toBe(201);
    expect((await api.put(`${SIM}/_sim/api/knobs`, { data: { ...knobs, error_rate: 1.0 } })).status()).toBeLessThan(300);
    const sim = await browser.newPage();
    await sim.goto(`${SIM}/_sim/`);
    const form = sim.locator('form[action="/_sim/ui/product"]');
    await form.locator('input[name="number"]').fill(productNumber);
    await form.locator('input[name="name"]').fill(`Supportvare ${run}`);
    await form.locator('input[name="price"]').fill('10');
    await form.getByRole('button').click();
    await sim.close();
    await owner.goto(`/events?number=${productNumber}`);
    const ownerRow = owner.locator('[data-test="events"] tbody tr').first();
    await expect(ownerRow).toHaveAttribute('data-status', 'failed', { timeout: LIVE_TIMEOUT });
    expect((await api.put(`${SIM}/_sim/api/knobs`, { data: knobs })).status()).toBeLessThan(300);

    // Staff find the company: it needs attention, with one failed event.
    await firstStaffLogIn(page, createStaff('Sam Support'));
    await page.goto(`/staff?q=${encodeURIComponent(company)}`);
    const row = page.locator('[data-test="tenants"] tbody tr').first();
    await expect(row).toHaveClass(/attention/);
    await row.getByRole('link', { name: company }).click();
    await expect(page).toHaveURL(/\/staff\/tenants\/\d+$/);
    await expect(page.locator('[data-test="failed"]')).toHaveText('1');
    await expect(page.locator('[data-test="events-chart"] rect.failed')).toHaveCount(1);
    await shot(page, testInfo, 'staff-tenant.png');

    // Look at the account, with a reason: the banner, read-only.
    await page.locator('input[name="reason"]').fill(REASON);
    await page.locator('input[name="ticket"]').fill(`SUP-${run}`);
    await page.locator('[data-test="impersonate"]').click();
    await expect(page).toHaveURL(/\/settings$/);
    const banner = page.locator('#support-banner');
    await expect(banner).toBeVisible();
    await expect(banner).toContainText('Sam Support');
    await expect(banner).toContainText(company);
    await expect(banner).toHaveAttribute('data-elevated', 'false');
    await shot(page, testInfo, 'impersonation-banner.png');

    // A change is refused.
    await page.goto(`/events?number=${productNumber}`);
    await hydrated(page);
    await expect(banner).toBeVisible();
    await page.locator('[data-test="events"] tbody tr [data-test="open"]').first().click();
    await expect(page).toHaveURL(/\/events\/\d+$/);
    await hydrated(page);
    await page.locator('[data-test="replay"]').click();
    await expect(page.locator('.banner.error')).toContainText('skrivebeskyttet');
    await shot(page, testInfo, 'impersonation-refused.png');
    const eventPath = new URL(page.url()).pathname;

    // Write access with a second reason; then the replay goes through.
    await banner.locator('input[name="reason"]').fill('Skal køre den fejlede vare igen');
    await banner.getByRole('button', { name: 'Få skriveadgang' }).click();
    await expect(page.locator('#support-banner')).toHaveAttribute('data-elevated', 'true');
    await page.goto(eventPath);
    await hydrated(page);
    await page.locator('[data-test="replay"]').click();
    await expect(page.locator('[data-test="event-title"] [data-test="status"]')).toHaveText(/processed|behandlet/i, { timeout: LIVE_TIMEOUT });

    // Stop: back on the staff side, at the company's page.
    await page.locator('#support-banner').getByRole('button', { name: 'Afslut' }).click();
    await expect(page).toHaveURL(/\/staff\/tenants\/\d+$/);
    await expect(page.locator('#support-banner')).toHaveCount(0);

    // The owner sees the visit: who, why, with write access, and the replay.
    await owner.goto('/settings/support');
    const log = owner.locator('[data-test="support-log"]');
    await expect(log).toContainText('Sam Support');
    await expect(log).toContainText(REASON);
    await expect(log).toContainText('replay_event');
    // A visit of seconds reads "under 1 min.", never "0 min.".
    await expect(log).not.toContainText(' 0 min.');
    await shot(owner, testInfo, 'support-access.png');
  } finally {
    await api.put(`${SIM}/_sim/api/knobs`, { data: knobs });
    await owner.close();
  }
});
