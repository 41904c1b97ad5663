import { defineEntity, type InferEntity } from '@mikro-orm/core';

const p = defineEntity.properties;

export const BOOKING_STATUSES = ['scheduled', 'confirmed', 'completed', 'cancelled', 'late_cancelled', 'no_show'] as const;
export const CREDIT_STATES = ['pending', 'held', 'consumed', 'released', 'forfeited', 'complimentary'] as const;

/** A client's seat in a session, with the policy in force when it was booked. */
export const Booking = defineEntity({
  name: 'Booking',
  tableName: 'bookings',
  properties: {
    id: p.integer().primary(),
    sessionId: p.integer(),
    clientId: p.integer(),
    status: p.enum([...BOOKING_STATUSES]).default('scheduled'),
    creditState: p.enum([...CREDIT_STATES]).default('pending'),
    lotId: p.integer().nullable(),
    complimentary: p.boolean().default(false),
    startsAt: p.datetime(),
    endsAt: p.datetime(),
    cancelWindowMinutes: p.integer(),
    lateCancelForfeits: p.boolean().default(true),
    bookedBy: p.string(),
    bookedAt: p.datetime().onCreate(() => new Date()),
    cancelledAt: p.datetime().nullable(),
    cancelReason: p.string().nullable(),
    workflowId: p.string(),
  },
});
export type Booking = InferEntity<typeof Booking>;
