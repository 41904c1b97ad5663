import { ErrorCode } from './error-codes.js';
import { pgError } from './transaction.js';

export { ErrorCode } from './error-codes.js';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Constraint → the error it stands for, and the request field it concerns when one does. */
const constraintMessages: Record<string, [ErrorCode, string, string?]> = {
  training_sessions_trainer_no_overlap: [ErrorCode.Overlap, 'The trainer already has a session at that time.'],
  bookings_client_no_overlap: [ErrorCode.Overlap, 'The client already has a session at that time.'],
  bookings_one_live_per_client: [ErrorCode.AlreadyBooked, 'The client is already booked into this session.'],
  training_sessions_booked_count_check: [ErrorCode.SessionFull, 'This session is full.'],
  users_email_unique: [ErrorCode.Conflict, 'An account with this email already exists.', 'email'],
  purchases_stripe_checkout_session_id_key: [ErrorCode.Conflict, 'This checkout is already recorded.'],
};

/** Turns a constraint violation into the business error it stands for; other errors pass through. */
export function asDomainError(error: unknown): unknown {
  if (error instanceof DomainError) return error;
  const pg = pgError(error);
  if (!pg) return error;
  const known = pg.constraint ? constraintMessages[pg.constraint] : undefined;
  if (known) return new DomainError(known[0], known[1], { constraint: pg.constraint, ...(known[2] ? { field: known[2] } : {}) });
  // Any other CHECK is an invariant the application should have kept; refuse cleanly.
  if (pg.code === '23514' || pg.code === '23P01' || pg.code === '23505') {
    return new DomainError(ErrorCode.Conflict, 'The change conflicts with the current state; nothing was written.', {
      constraint: pg.constraint,
    });
  }
  // Class 22 (data exception: out of range, invalid text or date) is the caller's input, and
  // so is 08P01 here: the driver inlines parameters, so a NUL in a value breaks the message.
  // A retry can never help: answered 400, and never left to an activity's retry loop.
  if (pg.code.startsWith('22') || pg.code === '08P01') {
    return new DomainError(ErrorCode.InvalidRequest, 'A value in the request is out of range or not valid; nothing was written.');
  }
  return error;
}
