import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../launcher/embedded-postgres.js';
import { startLocalTemporal } from '../../launcher/temporal.js';
import { findMailpit, startMailpit } from '../../launcher/mailpit.js';
import { findStripeMock, startStripeMock } from '../../launcher/stripe-mock.js';
import { provisionAppRole } from '../../model/database-roles.js';
import { migrateToLatest, openDatabase } from '../../model/orm.js';
import { buildWorkflowBundle } from '../../worker/workflow-bundle.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    /** User and password the app logs in with (a role with row privileges only, as deployed). */
    appRole: { user: string; password: string };
    templateDatabase: string;
    temporalAddress: string;
    workflowBundlePath: string;
    /** stripe-mock for outgoing Stripe calls; '' when it could not be built (tests then use the simulator). */
    stripeApiBaseUrl: string;
    /** Mailpit, the real SMTP server the outbox is delivered to, and its HTTP API (test/support/mailpit.ts reads it). */
    mailpitSmtpUrl: string;
    mailpitHttpUrl: string;
    /** The Mailpit binary, for a test that runs (and stops) a server of its own. */
    mailpitBinary: string;
    /** Where each test database claims its own million of row ids (test/support/database.ts). */
    identityOffsetsDir: string;
    /** This run's first million, at random: a Temporal server kept from an earlier run holds that run's workflows. */
    identityOffsetBase: number;
  }
}

const log = (line: string) => console.log(`[test setup] ${line}`);

/** PostgreSQL: DATABASE_URL when set, else an embedded throwaway cluster. */
async function provisionPostgres(root: string) {
  if (process.env.DATABASE_URL) {
    log('PostgreSQL: DATABASE_URL');
    return { adminUrl: process.env.DATABASE_URL, stop: async () => {} };
  }
  const started = Date.now();
  const server = await startEmbeddedPostgres({ clusterDir: path.join(root, 'postgres'), ephemeral: true });
  log(`PostgreSQL: embedded in ${Date.now() - started} ms`);
  return { adminUrl: server.adminUrl, stop: () => server.stop() };
}

const APP_ROLE = { user: 'studio_app_test', password: randomBytes(18).toString('base64url') };

const withDatabase = (adminUrl: string, database: string, role?: { user: string; password: string }) => {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  if (role) {
    url.username = role.user;
    url.password = role.password;
  }
  return url.toString();
};

/**
 * Migrates one template database as the owner and grants the app's role its row
 * privileges there; every test file clones it (grants included), so each starts from a
 * fresh schema in milliseconds and the app under test cannot alter that schema.
 */
async function prepareTemplate(adminUrl: string): Promise<{ name: string; appRole: { user: string; password: string } }> {
  const name = `studio_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const orm = await openDatabase(withDatabase(adminUrl, name), 1);
  await migrateToLatest(orm);
  await orm.close(true);
  try {
    await provisionAppRole(withDatabase(adminUrl, name), withDatabase(adminUrl, name, APP_ROLE));
    return { name, appRole: APP_ROLE };
  } catch (error) {
    // An external DATABASE_URL whose role may not create roles: the app runs as that role.
    log(`the app runs as the database's own role: ${error instanceof Error ? error.message : String(error)}`);
    const url = new URL(adminUrl);
    return { name, appRole: { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } };
  }
}

export default async function setup(project: TestProject) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'studio-sessions-test-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to reach its cluster.
  await chmod(root, 0o755);
  const postgres = await provisionPostgres(root);
  const { name: templateDatabase, appRole } = await prepareTemplate(postgres.adminUrl);

  const temporal = process.env.TEMPORAL_ADDRESS
    ? { address: process.env.TEMPORAL_ADDRESS, stop: async () => {}, source: 'TEMPORAL_ADDRESS' }
    : await startLocalTemporal({ cliPath: process.env.TEMPORAL_CLI_PATH, log });
  log(`Temporal: ${temporal.address} (${temporal.source})`);

  const started = Date.now();
  const bundle = await buildWorkflowBundle(log);
  const workflowBundlePath = path.join(root, 'workflow-bundle.js');
  await writeFile(workflowBundlePath, bundle);
  log(`workflow bundle: ${Math.round(bundle.length / 1024)} KiB in ${Date.now() - started} ms`);

  project.provide('postgresAdminUrl', postgres.adminUrl);
  project.provide('appRole', appRole);
  project.provide('templateDatabase', templateDatabase);
  project.provide('temporalAddress', temporal.address);
  project.provide('workflowBundlePath', workflowBundlePath);
  const identityOffsetsDir = path.join(root, 'identity-offsets');
  await mkdir(identityOffsetsDir);
  project.provide('identityOffsetsDir', identityOffsetsDir);
  project.provide('identityOffsetBase', Math.floor(Math.random() * 2_000));

  // Outgoing Stripe calls go to Stripe's own API mock, validated against the real API's schema.
  const stripeMockBinary = await findStripeMock({ binaryPath: process.env.STRIPE_MOCK_PATH, log }).catch((error: Error) => {
    log(`stripe-mock unavailable: ${error.message}`);
    return undefined;
  });
  const stripeMock = stripeMockBinary
    ? await startStripeMock(stripeMockBinary.path).catch((error: Error) => void log(`stripe-mock did not start: ${error.message}`))
    : undefined;
  log(
    stripeMock
      ? `stripe-mock: ${stripeMock.baseUrl} (${stripeMockBinary!.source})`
      : 'stripe-mock: not available, Stripe calls use the simulator',
  );
  project.provide('stripeApiBaseUrl', stripeMock?.baseUrl ?? '');

  // Emails are part of what the suite checks, so there is no run without a real SMTP server.
  const mailpitBinary = await findMailpit({ binaryPath: process.env.MAILPIT_PATH, log });
  if (!mailpitBinary) throw new Error('mailpit is not on PATH and Go is not installed to build it: install Go 1.24+ or set MAILPIT_PATH.');
  const mailpit = await startMailpit(mailpitBinary.path);
  log(`Mailpit: SMTP ${mailpit.smtpUrl}, HTTP ${mailpit.httpUrl} (${mailpitBinary.source})`);
  project.provide('mailpitSmtpUrl', mailpit.smtpUrl);
  project.provide('mailpitHttpUrl', mailpit.httpUrl);
  project.provide('mailpitBinary', mailpitBinary.path);

  return async () => {
    await mailpit.stop();
    await stripeMock?.stop();
    await temporal.stop();
    await postgres.stop();
    await rm(root, { recursive: true, force: true });
  };
}
