import type { Client } from '@temporalio/client';
import type { Settings } from '../config/settings.js';
import type { Orm } from '../model/orm.js';
import type { ApiMetrics } from './metrics.js';
import type { WorkflowCommands } from './workflow-commands.js';

/** What the API is built over: passed in by the process that starts it (api/main.ts, the launcher, tests). */
export interface ApiDependencies {
  settings: Settings;
  orm: Orm;
  temporal: Client;
}

/** What every route plugin receives: the dependencies and the one door to the workflows. */
export interface RouteDependencies extends ApiDependencies {
  commands: WorkflowCommands;
  metrics: ApiMetrics;
}
