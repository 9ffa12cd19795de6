// Sign up, log out, log in, both languages, with and without JavaScript.
import { expect, test } from '@playwright/test';
import { PASSWORD, hydrated, mailedLink, pathOf, signUp, uniqueEmail } from './helpers';

test('sign up, see the shell in Danish and English, log out, log in again', async ({ page }) => {
  const email = uniqueEmail('owner');
  await signUp(page, 'Lager ApS', 'Mette Hansen', email);

  // The shell: company, user, navigation, in Danish by default.
  const header = page.locator('header.topbar');
  await expect(header).toContainText('Lager ApS');
  await expect(header).toContainText('Mette Hansen');
  await expect(header.getByRole('link', { name: 'Hændelseshistorik' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'da');

  // Switch to English: the same page, now in English.
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(header.getByRole('link', { name: 'Event history' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Settings');

  // Navigate client-side, then log out.
  await hydrated(page);
  await header.getByRole('link', { name: 'Team' }).click();
  await expect(page.locator('[data-test="members"]')).toContainText(email);
  await page.locator('[data-test="logout"]').click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('status')).toContainText('You have been logged out.');

  // Logged out: the settings page sends us to the login page.
  await page.goto('/settings');
  await expect(page).toHaveURL(/\/login/);

  // A wrong password is refused with a clear message; the right one logs in.
  await hydrated(page);
  const form = page.locator('[data-test="login-form"]');
  await form.locator('input[name="email"]').fill(email);
  await form.locator('input[name="password"]').fill('not-the-password');
  await form.locator('button[type="submit"]').click();
  await expect(page.getByRole('alert')).toContainText('Wrong email or password.');
  await form.locator('input[name="password"]').fill(PASSWORD);
  await form.locator('button[type="submit"]').click();
  // Logged in: the home page (not connected yet, so the guide and the way to connect).
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('[data-test="entities"] [data-test="connect"]').first()).toBeVisible();
  await expect(header).toContainText('Lager ApS');
});

test('sign-up errors are shown in Danish next to the field', async ({ page }) => {
  await page.goto('/signup');
  await hydrated(page);
  const form = page.locator('[data-test="signup-form"]');
  await form.locator('input[name="company_name"]').fill('Anden ApS');
  await form.locator('input[name="name"]').fill('Bo');
  await form.locator('input[name="email"]').fill(uniqueEmail('short'));
  await form.locator('input[name="password"]').fill('kort');
  await form.locator('input[name="password"]').evaluate((el) => el.removeAttribute('minlength'));
  await form.locator('button[type="submit"]').click();
  await expect(page.getByRole('alert')).toHaveText('Adgangskoden skal være mindst 10 tegn.');
  await expect(page).toHaveURL(/\/signup/);
});

test('signing up with a registered address looks the same and mails its owner', async ({ page }) => {
  const email = uniqueEmail('taken');
  await signUp(page, 'Første ApS', 'Anna', email);
  await page.locator('[data-test="logout"]').click();
  await expect(page).toHaveURL(/\/login/);

  await page.goto('/signup');
  await hydrated(page);
  const form = page.locator('[data-test="signup-form"]');
  await form.locator('input[name="company_name"]').fill('Anden ApS');
  await form.locator('input[name="name"]').fill('Bo');
  await form.locator('input[name="email"]').fill(email);
  await form.locator('input[name="password"]').fill(PASSWORD);
  await form.locator('button[type="submit"]').click();
  await expect(page.locator('[data-test="signup-sent"]')).toBeVisible();
  await mailedLink(email, '/forgot-password');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('sign up, log out and log in with plain form posts', async ({ page }) => {
    const email = uniqueEmail('nojs');
    await page.goto('/signup');
    const form = page.locator('[data-test="signup-form"]');
    await form.locator('input[name="company_name"]').fill('Uden JS ApS');
    await form.locator('input[name="name"]').fill('Karl');
    await form.locator('input[name="email"]').fill(email);
    await form.locator('input[name="password"]').fill(PASSWORD);
    await form.locator('button[type="submit"]').click();
    await expect(page.locator('[data-test="signup-sent"]')).toBeVisible();
    await page.goto(pathOf(await mailedLink(email, '/signup/confirm/')));
    await page.locator('[data-test="signup-confirm-form"] button[type="submit"]').click();
    await expect(page).toHaveURL(/\/settings$/);
    await expect(page.locator('header.topbar')).toContainText('Uden JS ApS');

    await page.locator('[data-test="logout"]').click();
    await expect(page).toHaveURL(/\/login/);

    // A wrong password: the error comes back through the redirect, in the page.
    const login = page.locator('[data-test="login-form"]');
    await login.locator('input[name="email"]').fill(email);
    await login.locator('input[name="password"]').fill('wrong-password');
    await login.locator('button[type="submit"]').click();
    await expect(page.getByRole('alert')).toHaveText('Forkert e-mail eller adgangskode.');

    await login.locator('input[name="email"]').fill(email);
    await login.locator('input[name="password"]').fill(PASSWORD);
    await login.locator('button[type="submit"]').click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.locator('header.topbar')).toContainText('Karl');
  });

  test('the language switch works without JavaScript', async ({ page }) => {
    await page.goto('/login');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Log ind');
    await page.getByRole('link', { name: 'English' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Log in');
    await page.getByRole('link', { name: 'Dansk' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Log ind');
  });
});
