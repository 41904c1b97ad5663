import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { User } from './user.js';

const p = defineEntity.properties;

export const SESSION_STATUSES = ['available', 'scheduled', 'confirmed', 'completed', 'cancelled', 'no_show'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** A training session on the schedule (the seed calls it a session). */
export const TrainingSession = defineEntity({
  name: 'TrainingSession',
  tableName: 'training_sessions',
  properties: {
    id: p.integer().primary().generated('by default as identity'),
    trainer: p.manyToOne(User),
    startsAt: p.datetime(),
    durationMinutes: p.integer(),
    /**
     * A trigger derives it from startsAt + durationMinutes whatever a writer sends, so the
     * overlap constraints always judge the true range; the entity computes the same value.
     */
    endsAt: p
      .datetime()
      .onCreate(
        (session: { startsAt: Date; durationMinutes: number }) => new Date(session.startsAt.getTime() + session.durationMinutes * 60_000),
      ),
    capacity: p.integer().default(1),
    bookedCount: p.integer().default(0),
    location: p.text().nullable(),
    notes: p.text().nullable(),
    status: p.enum([...SESSION_STATUSES]).default('available'),
    seriesId: p.text().nullable(),
    createdAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
});
export type TrainingSession = InferEntity<typeof TrainingSession>;
