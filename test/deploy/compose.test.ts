import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROCESS_EXIT_AFTER_MS, SHUTDOWN_FORCE_MS, SHUTDOWN_GRACE_MS } from '../../worker/worker.js';
import { compose, findComposeCli, readComposeFile, root, settingNames } from './compose-file.js';

/**
 * docker-compose.yml is what a studio deploys as written: it must refuse to run without
 * its secrets, hand every setting to the app, and stop workers without cutting off
 * their work. Checked on the file itself and with the real Compose CLI (no engine needed).
 */
/** Values compose refuses to run without: the secrets, and SMTP_URL (the mail server, which may carry a password). */
const REQUIRED_SECRETS = ['POSTGRES_PASSWORD', 'APP_DB_PASSWORD', 'JWT_SECRET', 'STRIPE_WEBHOOK_SECRET', 'ADMIN_PASSWORD', 'SMTP_URL'];
/** Secrets whose absence is meaningful (the checkout simulator, no API key): passed through, never defaulted. */
const OPTIONAL_SECRETS = ['STRIPE_SECRET_KEY', 'TEMPORAL_API_KEY'];
/** Settings a container has no use for, each with its reason. */
const NOT_FOR_CONTAINERS: Record<string, string> = {
  DATA_DIR: 'set by the image; nothing durable lives in a container',
  TEMPORAL_CLI_PATH: 'npm start only (the dev server)',
  DEMO_DATA: 'npm start only',
  ADMIN_EMAIL: 'given to migrate only',
  ADMIN_PASSWORD: 'given to migrate only',
  MIGRATION_DATABASE_URL: 'given to migrate only',
  JWT_SECRET: 'given to the API only',
};

const file = readComposeFile();
const text = await readFile(path.join(root, 'docker-compose.yml'), 'utf8');
const interpolations = [...text.matchAll(/\$\{([A-Z][A-Z0-9_]*)([^}]*)\}/g)].map(([, name, rest]) => ({ name: name!, rest: rest! }));

describe('docker-compose.yml as written', () => {
  it('has no default for any secret: each one is ${VAR:?…}, wherever it is used', () => {
    for (const secret of REQUIRED_SECRETS) {
      const uses = interpolations.filter((use) => use.name === secret);
      expect(uses.length, `${secret} is used`).toBeGreaterThan(0);
      for (const use of uses) expect(`\${${secret}${use.rest}}`).toMatch(new RegExp(`^\\$\\{${secret}:\\?.+\\}$`));
    }
    for (const secret of OPTIONAL_SECRETS) {
      expect(
        interpolations.filter((use) => use.name === secret),
        `${secret} is never interpolated with a default`,
      ).toEqual([]);
    }
    for (const [name, service] of Object.entries(file.services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        const secret = /PASSWORD|PWD|SECRET|API_KEY/.test(key);
        if (!secret) continue;
        // Either passed through unset, or built only from required variables.
        if (value === null) continue;
        expect(value, `${name}.${key} comes from a required variable`).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
      }
    }
  });

  it('passes every setting of config/settings.ts to the app containers', () => {
    const app = ['api', 'worker', 'migrate'].map((name) => Object.keys(file.services[name]!.environment ?? {}));
    const inEvery = app.reduce((common, keys) => common.filter((key) => keys.includes(key)));
    const missing = settingNames().filter((name) => !(name in NOT_FOR_CONTAINERS) && !inEvery.includes(name));
    expect(missing).toEqual([]);
    expect(Object.keys(file.services.api!.environment!)).toContain('JWT_SECRET');
    expect(Object.keys(file.services.migrate!.environment!)).toEqual(
      expect.arrayContaining(['ADMIN_EMAIL', 'ADMIN_PASSWORD', 'MIGRATION_DATABASE_URL']),
    );
    for (const name of ['api', 'worker']) {
      expect(Object.keys(file.services[name]!.environment!), `${name} never gets the owner's URL or the admin password`).not.toEqual(
        expect.arrayContaining(['MIGRATION_DATABASE_URL']),
      );
      expect(Object.keys(file.services[name]!.environment!)).not.toContain('ADMIN_PASSWORD');
    }
  });

  it('documents every setting in README.md', async () => {
    const readme = await readFile(path.join(root, 'README.md'), 'utf8');
    expect(settingNames().filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });

  it("points the worker's simulated webhooks at an API replica, not at its own loopback", () => {
    expect(file.services.worker!.environment!.STRIPE_SIMULATOR_WEBHOOK_URL).toMatch(
      /^\$\{STRIPE_SIMULATOR_WEBHOOK_URL:-http:\/\/api:3000\/api\/webhooks\/stripe\}$/,
    );
  });

  it('publishes the proxy and the Temporal UI on loopback unless told otherwise', () => {
    expect(file.services.proxy!.ports).toEqual(['${PUBLIC_BIND:-127.0.0.1}:${PUBLIC_PORT:-3000}:3000']);
    expect(file.services['temporal-ui']!.ports).toEqual(['${TEMPORAL_UI_BIND:-127.0.0.1}:8233:8080']);
  });

  it('gives a stopping worker longer than the worker takes to drain: compose > process exit > SDK force > SDK grace', () => {
    const seconds = (value: string | undefined) => Number(/^(\d+)s$/.exec(value ?? '')?.[1]) * 1000;
    expect(seconds(file.services.worker!.stop_grace_period)).toBeGreaterThan(PROCESS_EXIT_AFTER_MS);
    expect(PROCESS_EXIT_AFTER_MS).toBeGreaterThan(SHUTDOWN_FORCE_MS);
    expect(SHUTDOWN_FORCE_MS).toBeGreaterThan(SHUTDOWN_GRACE_MS);
    expect(SHUTDOWN_GRACE_MS).toBeGreaterThan(0);
    // The API's process exits by force after 20 s (config/process.ts).
    expect(seconds(file.services.api!.stop_grace_period)).toBeGreaterThan(20_000);
  });

  it('pins Temporal server and admin-tools to one release, and PostgreSQL to 16', () => {
    const tag = (service: string) => file.services[service]!.image!.split(':')[1];
    expect(tag('temporal')).toMatch(/^1\.(3[0-9])\.\d+$/);
    expect(tag('temporal-setup')).toBe(tag('temporal'));
    expect(tag('temporal-init')).toBe(tag('temporal'));
    expect(tag('postgres')).toMatch(/^16\.\d+$/);
  });
});

describe('docker compose config, with the Compose CLI built from source', () => {
  let cli: string;
  let dir: string;
  let example: string;
  beforeAll(async () => {
    cli = (await findComposeCli((line) => console.log(`[compose cli] ${line}`))).path;
    dir = await mkdtemp(path.join(os.tmpdir(), 'studio-compose-'));
    example = await readFile(path.join(root, '.env.example'), 'utf8');
  }, 1_800_000);

  const envFile = async (name: string, content: string) => {
    const file = path.join(dir, name);
    await writeFile(file, content);
    return file;
  };

  it('accepts the file with a .env made from .env.example', async () => {
    const result = compose(cli, await envFile('complete.env', example), ['config', '-q']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each(REQUIRED_SECRETS)('refuses it when %s is missing, naming it', async (secret) => {
    const without = example
      .split('\n')
      .filter((line) => !line.startsWith(`${secret}=`))
      .join('\n');
    const result = compose(cli, await envFile(`without-${secret}.env`, without), ['config', '-q']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`required variable ${secret} is missing a value`);
  });

  it('hands a setting from .env to the API and the worker, and leaves an unset one unset', async () => {
    const result = compose(cli, await envFile('policy.env', `${example}\nPOLICY_CANCEL_WINDOW_MINUTES=90\n`), [
      'config',
      '--format',
      'json',
    ]);
    expect(result.status).toBe(0);
    const services = JSON.parse(result.stdout).services as Record<string, { environment: Record<string, string | null> }>;
    for (const name of ['api', 'worker']) {
      expect(services[name]!.environment.POLICY_CANCEL_WINDOW_MINUTES).toBe('90');
      expect(services[name]!.environment.STRIPE_SECRET_KEY).toBeNull();
      expect(services[name]!.environment.DATABASE_URL).toMatch(/^postgres:\/\/studio_app:change-me-app-role@postgres:5432\/studio$/);
    }
    expect(services.migrate!.environment.MIGRATION_DATABASE_URL).toMatch(
      /^postgres:\/\/studio:change-me-postgres-owner@postgres:5432\/studio$/,
    );
  });
});
