import { ApplicationFailure, Context } from '@temporalio/activity';
import { asDomainError, DomainError } from '../model/errors.js';
import type { Trace } from '../model/ledger.js';

/** The workflow execution an activity runs for, stamped on every ledger entry it writes. */
export function currentTrace(): Trace {
  try {
    const execution = Context.current().info.workflowExecution;
    return { workflowId: execution?.workflowId ?? null, runId: execution?.runId ?? null };
  } catch {
    return { workflowId: null, runId: null };
  }
}

/**
 * Business-rule failures become non-retryable ApplicationFailures typed with their
 * ErrorCode, the only errors that cross to the API; anything else is rethrown so
 * Temporal retries it (a lost connection, a deadlock).
 */
export async function businessRules<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const mapped = asDomainError(error);
    if (mapped instanceof DomainError) {
      throw ApplicationFailure.create({
        message: mapped.message,
        type: mapped.code,
        nonRetryable: true,
        details: [mapped.details],
      });
    }
    throw error;
  }
}
