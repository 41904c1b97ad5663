import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { isOutage } from '../../api/temporal-outage.js';

/** The gRPC error the Temporal client rejects with, as @grpc/grpc-js builds it. */
function serviceError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: new Metadata() });
}

describe('which Temporal answers are a moment of outage, to be sent again within the budget', () => {
  it('a workflow whose task is failing or timed out: its update is admitted once a task runs again', () => {
    // As the reliability suite's booking race logged it (the 500 INTERNAL answers), and the SDK's wrapping of it.
    const details = 'Unable to perform workflow execution update due to Workflow Task in failed state.';
    const grpc = serviceError(9, details);
    expect(isOutage(grpc)).toBe(true);
    expect(isOutage(Object.assign(new Error(details), { cause: grpc }))).toBe(true);
  });

  it('not a precondition that sending again cannot change', () => {
    expect(isOutage(serviceError(9, 'Workflow execution already completed.'))).toBe(false);
    expect(isOutage(new Error('The booking was refused.'))).toBe(false);
  });

  it('a server that is restarting or unreachable', () => {
    expect(isOutage(serviceError(14, 'No connection established'))).toBe(true);
    expect(isOutage(serviceError(4, 'Deadline exceeded'))).toBe(true);
  });

  it("a call the server ended at its deadline before the client's timer did", () => {
    // As @grpc/grpc-js reports the server's RST_STREAM CANCEL (a series edit answered 500 on it in CI).
    const grpc = serviceError(1, 'Call cancelled');
    expect(isOutage(grpc)).toBe(true);
    expect(isOutage(Object.assign(new Error('Failed to get Workflow execution history'), { cause: grpc }))).toBe(true);
  });
});
