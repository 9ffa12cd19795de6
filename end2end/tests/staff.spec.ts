// A support staff member: created on the command line, first log-in sets up the authenticator
// (TOTP), then the dashboard lists the tenants with the ones that need attention first.
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { hydrated, signUp, uniqueEmail } from './helpers';

const STAFF_PASSWORD = 'staff password 1';

/** RFC 4648 base32 to bytes. */
function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The RFC 6238 code an authenticator app shows now (SHA-1, 6 digits, 30 s). */
function totp(secret: string): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
}

test('a staff member sets up the second factor and sees every tenant', async ({ page, browser }) => {
  // A company for the dashboard to show.
  const company = `Kunde ${Date.now()}`;
  const owner = await browser.newPage();
  await signUp(owner, company, 'Mette Hansen', uniqueEmail('owner'));
  await owner.close();

  const email = uniqueEmail('staff');
  const dataDir = process.env.E2E_DATA_DIR ?? '/tmp/inventory-sync-e2e';
  execFileSync(
    process.env.SERVER_BIN ?? '../target/debug/server',
    ['create-staff', '--email', email, '--name', 'Sam Support'],
    { input: `${STAFF_PASSWORD}\n`, env: { ...process.env, DATABASE_URL: `sqlite://${dataDir}/app.db?mode=rwc`, RUST_LOG: 'warn' } },
  );

  await page.goto('/staff/login');
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
