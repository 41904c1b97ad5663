import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Booking } from './booking.js';
import { TrainingSession } from './training-session.js';
import { User } from './user.js';

const p = defineEntity.properties;

export const WAITLIST_STATES = ['waiting', 'promoted', 'skipped', 'left', 'expired', 'cancelled'] as const;
export type WaitlistState = (typeof WAITLIST_STATES)[number];

/**
 * A client's place on a full session's waitlist (model/waitlist.ts). waiting → promoted (a
 * freed seat booked them), skipped (a seat freed while they had no credit), left (they or
 * the studio took them off, or they booked directly), expired (the cutoff passed) or
 * cancelled (the session was, and they were told).
 */
export const WaitlistEntry = defineEntity({
  name: 'WaitlistEntry',
  tableName: 'waitlist_entries',
  properties: {
    id: p.integer().primary().generated('by default as identity'),
    session: p.manyToOne(TrainingSession),
    client: p.manyToOne(User),
    state: p.enum([...WAITLIST_STATES]).default('waiting'),
    joinedAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
    addedBy: p.text(),
    /** Set when the waitlist's workflow starts booking this entry: a retry finds the booking it made. */
    offeredAt: p.datetime().nullable(),
    booking: p.manyToOne(Booking).nullable(),
    closedAt: p.datetime().nullable(),
    closeReason: p.text().nullable(),
  },
});
export type WaitlistEntry = InferEntity<typeof WaitlistEntry>;
