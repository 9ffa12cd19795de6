// A support staff member: created on the command line, the first log-in through the one-time
// link it prints sets up the authenticator (TOTP), then the dashboard lists the tenants with
// the ones that need attention first.
import { expect, test } from '@playwright/test';
import { createStaff, hydrated, signUp, STAFF_PASSWORD, totp, uniqueEmail } from './helpers';

test('a staff member sets up the second factor and sees every tenant', async ({ page, browser }) => {
  // A company for the dashboard to show.
  const company = `Kunde ${Date.now()}`;
  const owner = await browser.newPage();
  await signUp(owner, company, 'Mette Hansen', uniqueEmail('owner'));
  await owner.close();

  const { email, enrolPath } = createStaff('Sam Support');

  await page.goto(enrolPath);
  await hydrated(page);
  const login = page.locator('[data-test="staff-login-form"]');
  await login.locator('input[name="email"]').fill(email);
  await login.locator('input[name="password"]').fill(STAFF_PASSWORD);
  await login.locator('button[type="submit"]').click();

  // First log-in: the QR code and the key, then the app's first code.
  await expect(page).toHaveURL(/\/staff\/verify$/);
  await expect(page.locator('.qr svg')).toBeVisible();
  const secret = (await page.locator('[data-test="totp-secret"]').textContent()) ?? '';
  await page.screenshot({ path: 'test-results/staff-enrol.png', fullPage: true });
  await hydrated(page);
  const enrol = page.locator('[data-test="staff-enrol-form"]');
  await enrol.locator('input[name="code"]').fill(totp(secret.trim()));
  await enrol.locator('button[type="submit"]').click();
  await expect(page.locator('[data-test="recovery-codes"] li')).toHaveCount(10);

  await page.getByRole('link', { name: 'Videre til oversigten' }).click();
  await expect(page).toHaveURL(/\/staff$/);
  const tenants = page.locator('[data-test="tenants"]');
  await expect(tenants).toContainText(company);
  await expect(page.locator('header.topbar')).toContainText('Sam Support');
  await page.screenshot({ path: 'test-results/staff-dashboard.png', fullPage: true });

  // Search narrows the list (a plain GET form: the filter is in the URL).
  await page.locator('input[name="q"]').fill(company);
  await page.locator('form[role="search"] button').click();
  await expect(page).toHaveURL(/q=/);
  await expect(tenants.locator('tbody tr')).toHaveCount(1);

  // A staff session is not a tenant session.
  await page.goto('/settings');
  await expect(page).toHaveURL(/\/login$/);
});
