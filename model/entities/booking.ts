import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { CreditLot } from './credit-lot.js';
import { TrainingSession } from './training-session.js';
import { User } from './user.js';

const p = defineEntity.properties;

export const BOOKING_STATUSES = ['scheduled', 'confirmed', 'completed', 'cancelled', 'late_cancelled', 'no_show'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];
export const CREDIT_STATES = ['pending', 'held', 'consumed', 'released', 'forfeited', 'complimentary'] as const;
export type CreditState = (typeof CREDIT_STATES)[number];

/**
 * A client's seat in a session, with the policy in force when it was booked. It keeps its
 * own copy of the session's time range (a trigger moves it with the session) so that the
 * client overlap constraint can judge it.
 */
export const Booking = defineEntity({
  name: 'Booking',
  tableName: 'bookings',
  properties: {
    id: p.integer().primary().generated('by default as identity'),
    session: p.manyToOne(TrainingSession),
    client: p.manyToOne(User),
    status: p.enum([...BOOKING_STATUSES]).default('scheduled'),
    creditState: p.enum([...CREDIT_STATES]).default('pending'),
    lot: p.manyToOne(CreditLot).nullable(),
    complimentary: p.boolean().default(false),
    startsAt: p.datetime(),
    endsAt: p.datetime(),
    cancelWindowMinutes: p.integer(),
    lateCancelForfeits: p.boolean().default(true),
    bookedBy: p.text(),
    bookedAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
    cancelledAt: p.datetime().nullable(),
    cancelReason: p.text().nullable(),
    workflowId: p.text(),
  },
});
export type Booking = InferEntity<typeof Booking>;
