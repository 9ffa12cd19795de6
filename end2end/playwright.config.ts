// Browser tests in Debian's Chromium (never a downloaded browser). `scripts/test` builds the
// front end and the server first and passes their locations in the environment.
import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 3005);
const dataDir = process.env.E2E_DATA_DIR ?? '/tmp/inventory-sync-e2e';
// Both configurable so that several checkouts can run their browser tests at once.
const simPort = Number(process.env.E2E_SIM_PORT ?? 3105);
// The bundled mail catcher: its page (and JSON) and its SMTP listener.
const mailPort = Number(process.env.E2E_MAIL_PORT ?? 3106);
const mailSmtpPort = Number(process.env.E2E_MAIL_SMTP_PORT ?? 3107);

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: 'list',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: `rm -rf ${dataDir} && mkdir -p ${dataDir} && exec ${process.env.SERVER_BIN ?? '../target/debug/server'} serve`,
    url: `http://127.0.0.1:${port}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    env: {
      DATABASE_URL: `sqlite://${dataDir}/app.db?mode=rwc`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? '../target/site',
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_OUTPUT_NAME: 'inventory-sync',
      DEMO: 'true',
      SECRET_KEY_FILE: `${dataDir}/secret.key`,
      SIM_ADDR: `127.0.0.1:${simPort}`,
      MAIL_CATCHER_ADDR: `127.0.0.1:${mailPort}`,
      MAIL_CATCHER_SMTP_ADDR: `127.0.0.1:${mailSmtpPort}`,
      MAIL_POLL_MS: '100',
      RUST_LOG: 'warn',
      // The specs sign up many companies from one address.
      SIGN_UPS_PER_IP: '1000',
    },
  },
});
