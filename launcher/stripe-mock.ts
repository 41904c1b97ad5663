import { freePort } from './free-port.js';
import { findGoTool, isEntryPoint, startListening, stopChild, type FoundTool, type GoTool } from './go-tools.js';

/**
 * stripe-mock, Stripe's own API mock (its OpenAPI spec is embedded), answers the outgoing
 * Stripe calls in tests and benchmarks: it validates every parameter we send against the
 * real API's schema and returns canned objects. Found or built like the Temporal CLI:
 * STRIPE_MOCK_PATH, PATH, the project cache, then `go install` into that cache.
 */
const STRIPE_MOCK: GoTool = {
  binary: 'stripe-mock',
  module: 'github.com/stripe/stripe-mock',
  version: 'v0.197.0',
  versionArgs: ['-version'],
};

export type StripeMockBinary = FoundTool;

export interface RunningStripeMock {
  /** For the SDK's host/port/protocol (STRIPE_API_BASE_URL). */
  baseUrl: string;
  stop(): Promise<void>;
}

export class StripeMockUnavailable extends Error {
  override name = 'StripeMockUnavailable';
}

/** Undefined when there is no binary and no Go to build one; callers then run without it and say so. */
export function findStripeMock(
  options: { binaryPath?: string | undefined; log?: (line: string) => void } = {},
): Promise<StripeMockBinary | undefined> {
  return findGoTool(STRIPE_MOCK, {
    explicitPath: options.binaryPath,
    explicitName: 'STRIPE_MOCK_PATH',
    ...(options.log ? { log: options.log } : {}),
    fail: (message) => new StripeMockUnavailable(message),
  });
}

/** Runs stripe-mock on free loopback ports (HTTP for the SDK; HTTPS only because it insists on serving both). */
export async function startStripeMock(binary: string): Promise<RunningStripeMock> {
  const httpPort = await freePort();
  const httpsPort = await freePort();
  const child = await startListening(
    binary,
    ['-http-addr', `127.0.0.1:${httpPort}`, '-https-addr', `127.0.0.1:${httpsPort}`],
    [httpPort],
    (message) => new StripeMockUnavailable(message),
  );
  return { baseUrl: `http://127.0.0.1:${httpPort}`, stop: () => stopChild(child, 5_000) };
}

if (isEntryPoint(import.meta.url)) {
  try {
    const found = await findStripeMock({ binaryPath: process.env.STRIPE_MOCK_PATH, log: (line) => console.log(line) });
    if (!found) {
      console.error('stripe-mock is not on PATH and Go is not installed to build it; install Go 1.24+ or set STRIPE_MOCK_PATH.');
      process.exit(1);
    }
    console.log(`stripe-mock: ${found.path} (${found.source})`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
