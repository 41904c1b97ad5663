import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { consoleDist } from '../../api/app.js';

/** What the console's browser tests share: the build, Debian's Chromium, signing in, screenshots. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const noChromium = !existsSync(chromiumPath);
if (noChromium) {
  console.warn(`[console test] skipped: no Chromium at ${chromiumPath} (set CHROMIUM_PATH; .ci/run installs Debian's chromium).`);
}

/** Every screen at the size a front desk uses, for a person to look at (git-ignored). */
const ARTIFACTS = path.resolve(import.meta.dirname, '..', '..', 'test-artifacts', 'console');
export const VIEWPORT = { width: 1440, height: 900 };

export async function screenshot(page: Page, name: string): Promise<void> {
  // A dialog or panel covers the window, not the whole scrolled page.
  const overlay = await page.locator('.MuiModal-root:not(.MuiModal-hidden)').count();
  // `animations: 'disabled'` lands a sliding panel or fading dialog where it ends.
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: overlay === 0, animations: 'disabled' });
}

const root = path.resolve(consoleDist, '..', '..');

/** The newest change among what the build reads: the console's sources, its config and the locked dependencies. */
function newestSource(): number {
  const walk = (target: string): number => {
    const stat = statSync(target);
    if (!stat.isDirectory()) return stat.mtimeMs;
    return Math.max(0, ...readdirSync(target).map((name) => walk(path.join(target, name))));
  };
  return Math.max(
    ...['admin/src', 'admin/index.html', 'admin/vite.config.ts', 'package-lock.json'].map((entry) => walk(path.join(root, entry))),
  );
}

/**
 * The API serves admin/dist (api/app.ts), so the test builds exactly there, in a child
 * process like `npm run build:admin`: the test runner's NODE_ENV=test would otherwise
 * give React's development build. Test files run in parallel, so one builds while the
 * others wait (a lock directory), and a build newer than every source is used as it is.
 */
export async function buildConsole(): Promise<void> {
  const lock = `${consoleDist}.lock`;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed run is older than any build takes.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 600_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    const built = statSync(path.join(consoleDist, 'index.html'), { throwIfNoEntry: false });
    if (built && built.mtimeMs > newestSource()) return;
    const vite = path.join(path.dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
    await promisify(execFile)(process.execPath, [vite, 'build', '--config', 'admin/vite.config.ts', '--logLevel', 'warn'], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'production' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

export async function signIn(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/admin/`);
  // Required fields' labels end in " *".
  await page.getByLabel(/^Email/).fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A signed-in staff member's page at the front desk's screen size, recording any failed API call or page error. */
export async function staffPage(
  browser: Browser,
  base: string,
  email: string,
  password: string,
): Promise<{ page: Page; failures: string[] }> {
  const page = await browser.newPage({ viewport: VIEWPORT, locale: 'en-US' });
  const failures: string[] = [];
  page.on('pageerror', (error) => failures.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.url().includes('/api/') && response.status() >= 400) failures.push(`${response.status()} ${response.url()}`);
  });
  await signIn(page, base, email, password);
  await page.locator('.MuiCard-root', { hasText: 'Welcome' }).waitFor();
  return { page, failures };
}
