import type { Orm } from '../model/orm.js';
import { clientsWithBalanceDrift } from '../model/summary.js';
import { firstSettled } from './temporal-outage.js';
import type { WorkflowCommands } from './workflow-commands.js';

/** A health answer never waits longer than this for one part of the system. */
const CHECK_MS = 2_000;

/** What a check found: `ok` and its value, or why there is none ("unreachable: …"). */
export type Check<T> = { status: 'ok'; value: T } | { status: string; value: null };

async function check<T>(work: () => Promise<T>): Promise<Check<T>> {
  const unanswered = async (): Promise<never> => {
    throw new Error(`no answer in ${CHECK_MS} ms`);
  };
  try {
    return { status: 'ok', value: await firstSettled(work(), CHECK_MS, unanswered) };
  } catch (error) {
    return { status: `unreachable: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, value: null };
  }
}

/** PostgreSQL answers a statement. */
export const databaseAnswers = (orm: Orm) => check(() => orm.em.fork().execute('select 1'));

/**
 * PostgreSQL answers by reading the two tables every balance comes from: the count of
 * clients whose cached balance disagrees with their ledger (expected 0).
 */
export const balanceDrift = (orm: Orm) => check(() => clientsWithBalanceDrift(orm));

/** The Temporal frontend answers. */
export const temporalAnswers = (commands: WorkflowCommands) => check(() => commands.ping());
