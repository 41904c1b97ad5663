import { Client, Connection } from '@temporalio/client';
import type { Settings } from '../config/settings.js';
import { temporalConnectionOptions } from '../config/temporal-connection.js';
import { requestIdClientInterceptor } from '../logs/request-ids.js';

export async function connectTemporalClient(temporal: Settings['temporal'], address: string): Promise<Client> {
  const connection = await Connection.connect({ ...temporalConnectionOptions(temporal, address), connectTimeout: 10_000 });
  return new Client({ connection, namespace: temporal.namespace, interceptors: { workflow: [requestIdClientInterceptor] } });
}
