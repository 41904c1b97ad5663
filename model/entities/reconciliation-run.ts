import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { Drift } from '../reconciliation.js';

const p = defineEntity.properties;

/** One check of the books (model/reconciliation.ts): what was looked at, and every disagreement found. */
export const ReconciliationRun = defineEntity({
  name: 'ReconciliationRun',
  tableName: 'reconciliation_runs',
  properties: {
    id: p.bigint('number').primary().generated('by default as identity'),
    startedAt: p.datetime(),
    finishedAt: p.datetime(),
    clientsChecked: p.integer(),
    purchasesChecked: p.integer(),
    stripeChecked: p.integer().nullable(),
    driftCount: p.integer(),
    drift: p.json<Drift[]>().defaultRaw(`'[]'::jsonb`),
    workflowId: p.text().nullable(),
    runId: p.text().nullable(),
  },
});
export type ReconciliationRun = InferEntity<typeof ReconciliationRun>;
