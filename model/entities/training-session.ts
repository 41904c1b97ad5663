import { defineEntity, type InferEntity } from '@mikro-orm/core';

const p = defineEntity.properties;

export const SESSION_STATUSES = ['available', 'scheduled', 'confirmed', 'completed', 'cancelled', 'no_show'] as const;

/** A training session on the schedule (the seed calls it a session). */
export const TrainingSession = defineEntity({
  name: 'TrainingSession',
  tableName: 'training_sessions',
  properties: {
    id: p.integer().primary(),
    trainerId: p.integer(),
    startsAt: p.datetime(),
    durationMinutes: p.integer(),
    /** Set by a trigger from startsAt + durationMinutes. */
    endsAt: p.datetime().nullable(),
    capacity: p.integer().default(1),
    bookedCount: p.integer().default(0),
    location: p.string().nullable(),
    notes: p.string().nullable(),
    status: p.enum([...SESSION_STATUSES]).default('available'),
    seriesId: p.string().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type TrainingSession = InferEntity<typeof TrainingSession>;
