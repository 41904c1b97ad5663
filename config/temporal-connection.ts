import { readFileSync } from 'node:fs';
import type { Settings } from './settings.js';

/** Connection options shared by the API's client and the worker's native connection. */
export function temporalConnectionOptions(temporal: Settings['temporal'], address: string) {
  const tls =
    typeof temporal.tls === 'object'
      ? { clientCertPair: { crt: readFileSync(temporal.tls.clientCertPath), key: readFileSync(temporal.tls.clientKeyPath) } }
      : temporal.tls;
  return {
    address,
    tls,
    ...(temporal.apiKey ? { apiKey: temporal.apiKey } : {}),
  };
}
