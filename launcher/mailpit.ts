import { freePort } from './free-port.js';
import { findGoTool, isEntryPoint, startListening, stopChild, type FoundTool, type GoTool } from './go-tools.js';

/**
 * Mailpit, a real SMTP server that keeps what it receives and shows it in a web UI and an
 * HTTP API: the embedded default for the outbox's emails (`npm start`) and what the tests
 * read to see what arrived. Found or built like stripe-mock: MAILPIT_PATH, PATH, the
 * project cache, then `go install` into that cache.
 */
const MAILPIT: GoTool = {
  binary: 'mailpit',
  module: 'github.com/axllent/mailpit',
  version: 'v1.33.1',
  versionArgs: ['version', '--no-release-check'],
};

export type MailpitBinary = FoundTool;

export interface RunningMailpit {
  /** For SMTP_URL: `smtp://127.0.0.1:<port>`. */
  smtpUrl: string;
  smtpPort: number;
  /** The web UI, and its API under `/api/v1`. */
  httpUrl: string;
  stop(): Promise<void>;
}

export interface MailpitOptions {
  /** Keep messages in this SQLite file across restarts; omitted, Mailpit keeps them until it stops. */
  databaseFile?: string;
  /** Fixed ports (npm start prints them; a test restarts a server on the same port); free ones otherwise. */
  smtpPort?: number;
  httpPort?: number;
}

export class MailpitUnavailable extends Error {
  override name = 'MailpitUnavailable';
}

/** Undefined when there is no binary and no Go to build one; the caller says what that means. */
export function findMailpit(
  options: { binaryPath?: string | undefined; log?: (line: string) => void } = {},
): Promise<MailpitBinary | undefined> {
  return findGoTool(MAILPIT, {
    explicitPath: options.binaryPath,
    explicitName: 'MAILPIT_PATH',
    ...(options.log ? { log: options.log } : {}),
    fail: (message) => new MailpitUnavailable(message),
  });
}

export async function startMailpit(binary: string, options: MailpitOptions = {}): Promise<RunningMailpit> {
  const smtpPort = options.smtpPort ?? (await freePort());
  const httpPort = options.httpPort ?? (await freePort());
  const args = [
    '--smtp',
    `127.0.0.1:${smtpPort}`,
    '--listen',
    `127.0.0.1:${httpPort}`,
    // Loopback only and no credentials: any login (or none) is accepted.
    '--smtp-auth-accept-any',
    '--smtp-auth-allow-insecure',
    // No reverse DNS and no release check: it works offline, and the suite sends hundreds of messages.
    '--smtp-disable-rdns',
    '--disable-version-check',
    '--max',
    '0',
    '--quiet',
    ...(options.databaseFile ? ['--database', options.databaseFile] : []),
  ];
  const child = await startListening(binary, args, [smtpPort, httpPort], (message) => new MailpitUnavailable(message));
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    smtpPort,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    stop: () => stopChild(child, 5_000),
  };
}

if (isEntryPoint(import.meta.url)) {
  try {
    const found = await findMailpit({ binaryPath: process.env.MAILPIT_PATH, log: (line) => console.log(line) });
    if (!found) {
      console.error('mailpit is not on PATH and Go is not installed to build it; install Go 1.24+, set MAILPIT_PATH, or set SMTP_URL.');
      process.exit(1);
    }
    console.log(`mailpit: ${found.path} (${found.source})`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
