// E-mail end to end in demo mode: every mail goes through SMTP to the bundled mail
// catcher, whose page a person opens to follow the links.
import { expect, test } from '@playwright/test';
import { MAIL_CATCHER, PASSWORD, hydrated, mailedLink, pathOf, signUp, uniqueEmail } from './helpers';

const NEW_PASSWORD = 'a brand new password';

test('forgot password: the link from the mail catcher page sets a new one, once', async ({ page, context }) => {
  const email = uniqueEmail('reset');
  await signUp(page, 'Glemsom ApS', 'Lise', email);
  await page.locator('[data-test="logout"]').click();
  await expect(page).toHaveURL(/\/login/);

  await page.locator('[data-test="forgot-link"]').click();
  await expect(page).toHaveURL(/\/forgot-password/);
  await hydrated(page);
  await page.locator('[data-test="forgot-form"] input[name="email"]').fill(email);
  await page.locator('[data-test="forgot-form"] button[type="submit"]').click();
  await expect(page.locator('[data-test="forgot-sent"]')).toBeVisible();
  await expect(page.locator('[data-test="demo-mail-page"] a')).toHaveAttribute('href', `${MAIL_CATCHER}/`);

  // As a person would: open the catcher's page, the mail, and its link.
  await mailedLink(email, '/reset-password/');
  const inbox = await context.newPage();
  await inbox.goto(`${MAIL_CATCHER}/`);
  await inbox.locator('tr[data-test="mail"]', { hasText: email }).filter({ hasText: 'Nulstil din adgangskode' }).first().locator('a').click();
  await expect(inbox.locator('[data-test="subject"]')).toHaveText('Nulstil din adgangskode');
  const link = (await inbox.locator('[data-test="mail-link"]').first().getAttribute('href')) ?? '';
  expect(link).toContain('/reset-password/');

  await page.goto(pathOf(link));
  await hydrated(page);
  await page.locator('[data-test="reset-form"] input[name="password"]').fill(NEW_PASSWORD);
  await page.locator('[data-test="reset-form"] button[type="submit"]').click();
  await expect(page).toHaveURL(/\/login\?reset=1/);
  await expect(page.locator('[data-test="password-reset-done"]')).toBeVisible();

  await hydrated(page);
  const login = page.locator('[data-test="login-form"]');
  await login.locator('input[name="email"]').fill(email);
  await login.locator('input[name="password"]').fill(NEW_PASSWORD);
  await login.locator('button[type="submit"]').click();
  // Logged in: the home page says whether everything is in sync.
  await expect(page).toHaveURL(/\/$/);

  // The link works once.
  await page.goto(pathOf(link));
  await expect(page.locator('[data-test="reset-invalid"]')).toContainText('udløbet, allerede brugt eller ugyldigt');
});

test('an invitation arrives by mail and its page names the company and the inviter', async ({ page, browser }) => {
  await signUp(page, 'Inviterende ApS', 'Mette Hansen', uniqueEmail('inviter'));
  const colleague = uniqueEmail('invitee');
  await page.goto('/team');
  await hydrated(page);
  const form = page.locator('form', { has: page.locator('input[name="email"]') }).first();
  await form.locator('input[name="email"]').fill(colleague);
  await form.locator('button[type="submit"]').click();

  const link = await mailedLink(colleague, '/invite/');
  const other = await (await browser.newContext()).newPage();
  await other.goto(pathOf(link));
  await hydrated(other);
  await expect(other.locator('[data-test="invite-from"]')).toContainText('Mette Hansen');
  await expect(other.locator('[data-test="invite-from"]')).toContainText('Inviterende ApS');
  const accept = other.locator('[data-test="invite-form"]');
  await accept.locator('input[name="name"]').fill('Bo');
  await accept.locator('input[name="password"]').fill(PASSWORD);
  await accept.locator('button[type="submit"]').click();
  await expect(other).toHaveURL(/\/settings$/);
  await expect(other.locator('header.topbar')).toContainText('Inviterende ApS');
});
