/**
 * Machine codes of business-rule failures. They travel unchanged from the data layer
 * through activities (as ApplicationFailure types) and workflows to the API, which maps
 * each to one HTTP status. Plain constants, so the workflow sandbox may import them.
 */
export const ErrorCode = {
  NoCredits: 'NO_CREDITS',
  SessionFull: 'SESSION_FULL',
  Overlap: 'OVERLAP',
  AlreadyBooked: 'ALREADY_BOOKED',
  NotBookable: 'NOT_BOOKABLE',
  NotFound: 'NOT_FOUND',
  InvalidRequest: 'INVALID_REQUEST',
  Conflict: 'CONFLICT',
  LastAdmin: 'LAST_ADMIN',
  /** A waitlist is for full sessions: this one has a seat to book. */
  SeatsAvailable: 'SEATS_AVAILABLE',
  /** The session starts within the waitlist cutoff (or is over): no seat will be offered any more. */
  WaitlistClosed: 'WAITLIST_CLOSED',
  /** A freed seat is being booked for this entry right now. */
  PromotionInProgress: 'PROMOTION_IN_PROGRESS',
  /** This client's previous booking of the session was refused and its workflow is still finishing (milliseconds). */
  BookingClosing: 'BOOKING_CLOSING',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
