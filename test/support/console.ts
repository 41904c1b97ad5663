import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import type { AddressInfo } from 'node:net';
import { consoleDist } from '../../api/app.js';
import type { TestStack } from './stack.js';

/**
 * The console in a real browser: Debian's Chromium through playwright-core, the console
 * built exactly where the API serves it (admin/dist), screenshots for a person to look at.
 */

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const noChromium = !existsSync(chromiumPath);
if (noChromium) {
  console.warn(`[console test] skipped: no Chromium at ${chromiumPath} (set CHROMIUM_PATH; .ci/run installs Debian's chromium).`);
}

const ROOT = path.resolve(consoleDist, '..', '..');
/** Every screen at the size a front desk uses, for a person to look at (git-ignored). */
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'console');
export const VIEWPORT = { width: 1440, height: 900 };

export async function screenshot(page: Page, name: string): Promise<void> {
  // A dialog or panel covers the window, not the whole scrolled page.
  const overlay = await page.locator('.MuiModal-root:not(.MuiModal-hidden)').count();
  // `animations: 'disabled'` lands a sliding panel or fading dialog where it ends.
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: overlay === 0, animations: 'disabled' });
}

/** What the build is made of: a change in any of these means admin/dist is stale. */
async function sourceHash(): Promise<string> {
  const files: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files.push(full);
    }
  };
  await walk(path.join(ROOT, 'admin', 'src'));
  files.push(...['index.html', 'vite.config.ts', 'tsconfig.json'].map((name) => path.join(ROOT, 'admin', name)));
  files.push(path.join(ROOT, 'package-lock.json'));
  const hash = createHash('sha256');
  for (const file of files.sort()) hash.update(file).update(await readFile(file));
  return hash.digest('hex');
}

const isRunning = (pid: number) => {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** True when this process now holds the lock file; false when another one does. */
async function takeLock(lock: string): Promise<boolean> {
  try {
    await writeFile(lock, String(process.pid), { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** One holder at a time across the test processes of a run; a holder that died leaves a lock the next one takes over. */
async function withLock<T>(lock: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 5 * 60_000;
  while (!(await takeLock(lock))) {
    const holder = Number(await readFile(lock, 'utf8').catch(() => '0'));
    if (!isRunning(holder)) await unlink(lock).catch(() => undefined);
    else if (Date.now() > deadline) throw new Error(`the console build lock ${lock} is held by process ${holder}`);
    else await new Promise((resolve) => setTimeout(resolve, 500));
  }
  try {
    return await work();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

/**
 * Builds the console into admin/dist (the API serves it there), in a child process like
 * `npm run build:admin`: the test runner's NODE_ENV=test would otherwise give React's
 * development build. Test files run in parallel and one may be serving the build while
 * another starts, so it is built once per change of its sources, under a lock; the stamp
 * also names the build's index.html, so any other build of admin/dist counts as stale.
 */
export async function buildConsole(): Promise<void> {
  const key = createHash('sha256').update(consoleDist).digest('hex').slice(0, 12);
  const stampFile = path.join(ARTIFACTS, '..', 'console-build.json');
  const index = path.join(consoleDist, 'index.html');
  await withLock(path.join(os.tmpdir(), `studio-console-build-${key}.lock`), async () => {
    const hash = await sourceHash();
    const built = await stat(index).then(
      (info) => info.mtimeMs,
      () => 0,
    );
    const stamp = await readFile(stampFile, 'utf8').then(JSON.parse, () => undefined);
    if (stamp?.hash === hash && stamp.indexMtimeMs === built) return;
    const vite = path.join(path.dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
    await promisify(execFile)(process.execPath, [vite, 'build', '--config', 'admin/vite.config.ts', '--logLevel', 'warn'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production' },
      maxBuffer: 16 * 1024 * 1024,
    });
    await mkdir(path.dirname(stampFile), { recursive: true });
    await writeFile(stampFile, JSON.stringify({ hash, indexMtimeMs: (await stat(index)).mtimeMs }));
  });
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

/**
 * A page at the front desk's screen size (a browser `timezoneId` puts it elsewhere than the
 * studio), recording any failed API call or page error.
 */
export async function staffPage(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<{ page: Page; failures: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US', ...options });
  const page = await context.newPage();
  const failures: string[] = [];
  page.on('pageerror', (error) => failures.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.url().includes('/api/') && response.status() >= 400) failures.push(`${response.status()} ${response.url()}`);
  });
  return { page, failures, close: () => context.close() };
}

export interface ConsoleBrowser {
  base: string;
  browser: Browser;
  /** A fresh page at the front desk's size, watched for failures. */
  newPage(): Promise<{ page: Page; failures: string[] }>;
  /** Fills the login form; the caller waits for what signing in should show. */
  signIn(page: Page, email: string, password: string): Promise<void>;
  /** A new page signed in and on the dashboard. */
  signedInPage(email: string, password: string): Promise<{ page: Page; failures: string[] }>;
  close(): Promise<void>;
}

/** The stack's app served on a free port with Chromium opened against it, the helpers above bound to both; build the console first. */
export async function openConsole(stack: TestStack): Promise<ConsoleBrowser> {
  await stack.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(stack.app.server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  const newPage = () => staffPage(browser);
  return {
    base,
    browser,
    newPage,
    signIn: (page, email, password) => signIn(page, base, email, password),
    async signedInPage(email, password) {
      const watched = await newPage();
      await signIn(watched.page, base, email, password);
      await watched.page.locator('.MuiCard-root', { hasText: 'Welcome' }).waitFor();
      return watched;
    },
    close: () => browser.close(),
  };
}
