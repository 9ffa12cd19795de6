// Shared steps for the browser tests.
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { expect, Page } from '@playwright/test';

export const PASSWORD = 'correct-horse-battery';

/** A fresh email per run, so tests never collide on "email taken". */
export function uniqueEmail(label: string): string {
  return `${label}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

/** Waits until the wasm bundle has hydrated the page; clicks before that would be lost. */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

/**
 * On the Advanced Settings page, with the given webhook boxes ticked: "I create it myself" for
 * each (the app then creates none of them in e-conomic; the manual copy-paste flow).
 */
export async function chooseManual(page: Page, kinds: string[]): Promise<void> {
  for (const kind of kinds) {
    const mode = page.locator(`[data-test="mode-${kind}"]`);
    if ((await mode.getAttribute('data-mode')) !== 'manual') {
      await page.locator(`[data-test="mode-manual-${kind}"]`).click();
    }
    await expect(mode).toHaveAttribute('data-mode', 'manual');
  }
}

/** The demo mail catcher's page (and its JSON under `/api/mails`). */
export const MAIL_CATCHER = `http://127.0.0.1:${process.env.E2E_MAIL_PORT ?? 3106}`;

/** A mail as the catcher's JSON lists it. */
export interface CaughtMail {
  id: number;
  to: string[];
  subject: string;
  text: string;
}

/** Waits for the newest mail to `to` with a link containing `path`; returns that link. */
export async function mailedLink(to: string, path: string): Promise<string> {
  let link: string | undefined;
  await expect(async () => {
    const mails: CaughtMail[] = await (await fetch(`${MAIL_CATCHER}/api/mails`)).json();
    const found = mails
      .filter((m) => m.to.some((t) => t.toLowerCase() === to.toLowerCase()))
      .flatMap((m) => m.text.split(/\s+/).filter((w) => w.includes(path)))
      .pop();
    expect(found, `a mail to ${to} with ${path}`).toBeTruthy();
    link = found;
  }).toPass({ timeout: 15_000 });
  return link as string;
}

/** The path and query of an absolute link (the mails link PUBLIC_URL, the tests use baseURL). */
export function pathOf(link: string): string {
  const url = new URL(link);
  return url.pathname + url.search;
}

/** Signs up a company through the form, confirms it with the mailed link and waits for the
 * settings page. */
export async function signUp(page: Page, company: string, name: string, email: string): Promise<void> {
  await page.goto('/signup');
  await hydrated(page);
  const form = page.locator('[data-test="signup-form"]');
  await form.locator('input[name="company_name"]').fill(company);
  await form.locator('input[name="name"]').fill(name);
  await form.locator('input[name="email"]').fill(email);
  await form.locator('input[name="password"]').fill(PASSWORD);
  await form.locator('button[type="submit"]').click();
  await expect(page.locator('[data-test="signup-sent"]')).toBeVisible();
  const link = await mailedLink(email, '/signup/confirm/');
  await page.goto(pathOf(link));
  await hydrated(page);
  await page.locator('[data-test="signup-confirm-form"] button[type="submit"]').click();
  await expect(page).toHaveURL(/\/settings$/);
}

/** Signs up without JavaScript (plain form posts): the form, then the mailed confirmation link
 * and its plain form; waits for the settings page. */
export async function signUpWithoutJs(page: Page, company: string, name: string, email: string): Promise<void> {
  await page.goto('/signup');
  const form = page.locator('[data-test="signup-form"]');
  await form.locator('input[name="company_name"]').fill(company);
  await form.locator('input[name="name"]').fill(name);
  await form.locator('input[name="email"]').fill(email);
  await form.locator('input[name="password"]').fill('correct-horse-battery');
  await form.locator('button[type="submit"]').click();
  await expect(page).toHaveURL(/\/signup\?sent=1$/);
  const link = await mailedLink(email, '/signup/confirm/');
  await page.goto(pathOf(link));
  await page.locator('[data-test="signup-confirm-form"] button[type="submit"]').click();
  await expect(page).toHaveURL(/\/settings$/);
}

export const STAFF_PASSWORD = 'staff password 1';

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
export function totp(secret: string): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
}

/** Creates a staff account with the server's CLI, as an operator would; returns its email and
 * the path of the one-time enrolment link the command prints. */
export function createStaff(name: string): { email: string; enrolPath: string } {
  const email = uniqueEmail('staff');
  const dataDir = process.env.E2E_DATA_DIR ?? '/tmp/inventory-sync-e2e';
  const out = execFileSync(
    process.env.SERVER_BIN ?? '../target/debug/server',
    ['create-staff', '--email', email, '--name', name],
    { input: `${STAFF_PASSWORD}\n`, env: { ...process.env, DATABASE_URL: `sqlite://${dataDir}/app.db?mode=rwc`, RUST_LOG: 'warn' } },
  ).toString();
  const match = out.match(/\/staff\/login\?enrol=[A-Za-z0-9_-]+/);
  if (!match) throw new Error(`create-staff printed no enrolment link: ${out}`);
  return { email, enrolPath: match[0] };
}

/** A new staff member's first log-in through the enrolment link: password, then the
 * authenticator's first code; ends on the dashboard. */
export async function firstStaffLogIn(page: Page, staff: { email: string; enrolPath: string }): Promise<void> {
  const email = staff.email;
  await page.goto(staff.enrolPath);
  await hydrated(page);
  const login = page.locator('[data-test="staff-login-form"]');
  await login.locator('input[name="email"]').fill(email);
  await login.locator('input[name="password"]').fill(STAFF_PASSWORD);
  await login.locator('button[type="submit"]').click();
  await expect(page).toHaveURL(/\/staff\/verify$/);
  const secret = (await page.locator('[data-test="totp-secret"]').textContent()) ?? '';
  await hydrated(page);
  const enrol = page.locator('[data-test="staff-enrol-form"]');
  await enrol.locator('input[name="code"]').fill(totp(secret.trim()));
  await enrol.locator('button[type="submit"]').click();
  await expect(page.locator('[data-test="recovery-codes"] li')).toHaveCount(10);
  await page.goto('/staff');
}
