// Shared steps for the browser tests.
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

/** Signs up a company through the form and waits for the settings page. */
export async function signUp(page: Page, company: string, name: string, email: string): Promise<void> {
  await page.goto('/signup');
  await hydrated(page);
  const form = page.locator('[data-test="signup-form"]');
  await form.locator('input[name="company_name"]').fill(company);
  await form.locator('input[name="name"]').fill(name);
  await form.locator('input[name="email"]').fill(email);
  await form.locator('input[name="password"]').fill(PASSWORD);
  await form.locator('button[type="submit"]').click();
  await expect(page).toHaveURL(/\/settings$/);
}
