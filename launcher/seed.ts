import { createCreditActivities } from '../activities/credits.js';
import { createAccount } from '../model/accounts.js';
import { Package } from '../model/entities/package.js';
import { TrainingSession } from '../model/entities/training-session.js';
import { User } from '../model/entities/user.js';
import type { Orm } from '../model/orm.js';

export const DEMO_PASSWORD = 'demo-password';

export interface DemoLogins {
  admin: { email: string; password: string };
  trainer: { email: string; password: string };
  client: { email: string; password: string };
}

const TRAINERS = [
  ['Maya', 'Okafor'],
  ['Lucas', 'Brandt'],
  ['Priya', 'Raman'],
] as const;
/** A demo client: the opening balance, and how many days until it expires (none: never). */
type DemoClient = readonly [firstName: string, lastName: string, balance: number, expiresInDays?: number];
const CLIENTS: readonly [DemoClient, ...DemoClient[]] = [
  ['Ava', 'Nguyen', 12],
  ['Ben', 'Carter', 0],
  ['Chloe', 'Diaz', 1],
  ['Dan', 'Evans', 2],
  // Inside the expiry notice period: the console shows the lot and its "Extend" action, the outbox its notice.
  ['Ella', 'Fischer', 5, 5],
  ['Finn', 'Garcia', 8],
  ['Grace', 'Hughes', 3],
  ['Hugo', 'Ito', 20],
  ['Isla', 'Jensen', 0],
  ['Jack', 'Kowalski', 6, 45],
  ['Kira', 'Larsen', 10],
  ['Leo', 'Moreau', 4],
];
const PACKAGES = [
  { name: 'Single session', sessions: 1, priceCents: 9000, validityDays: 60 },
  { name: '10-session pack', sessions: 10, priceCents: 70000, validityDays: 180 },
  { name: '20-session pack', sessions: 20, priceCents: 120000, validityDays: 365 },
];
// Slots in UTC; a studio's own hours come from the schedule it builds in the console.
const SLOTS_UTC = [8, 10, 13, 16, 18];

/**
 * Demo data for `npm start` on an empty database: an admin, trainers, clients with
 * varied balances (granted through the ledger, so balances equal ledger sums),
 * packages and two weeks of sessions. Does nothing (false) when the studio already has users.
 */
export async function seedDemoData(orm: Orm, admin: { email: string; password: string }, now = new Date()): Promise<boolean> {
  if ((await orm.em.fork().count(User, {})) > 0) return false;

  await createAccount(orm, { email: admin.email, password: admin.password, role: 'admin', firstName: 'Studio', lastName: 'Owner' });
  const trainers = [];
  for (const [firstName, lastName] of TRAINERS) {
    trainers.push(
      await createAccount(orm, {
        email: `${firstName.toLowerCase()}@studio.test`,
        password: DEMO_PASSWORD,
        role: 'trainer',
        firstName,
        lastName,
      }),
    );
  }
  const credits = createCreditActivities({ orm });
  for (const [firstName, lastName, balance, expiresInDays] of CLIENTS) {
    const client = await createAccount(orm, {
      email: `${firstName.toLowerCase()}.${lastName.toLowerCase()}@example.com`,
      password: DEMO_PASSWORD,
      role: 'client',
      firstName,
      lastName,
    });
    if (balance > 0) {
      await credits.grantCredits({
        idempotencyKey: `seed:${client.id}`,
        clientId: client.id,
        quantity: balance,
        source: 'allocation',
        // The worker's backfill starts this lot's expiry workflow (docs/workflows.md).
        expiresAt: expiresInDays ? new Date(now.getTime() + expiresInDays * 86_400_000).toISOString() : null,
        actor: 'system',
        reason: 'Demo opening balance',
      });
    }
  }

  const em = orm.em.fork();
  for (const pkg of PACKAGES) {
    em.create(Package, { ...pkg, currency: 'usd', active: true, stripePriceId: null, createdAt: new Date() });
  }
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  for (let day = 0; day < 14; day += 1) {
    for (const [index, trainer] of trainers.entries()) {
      for (const hour of SLOTS_UTC) {
        const startsAt = new Date(today.getTime() + day * 86_400_000 + (hour + index) * 3_600_000);
        if (startsAt <= now) continue;
        const groupClass = hour === 18;
        em.create(TrainingSession, {
          trainer: trainer.id,
          startsAt,
          durationMinutes: 60,
          capacity: groupClass ? 6 : 1,
          bookedCount: 0,
          location: groupClass ? 'Studio floor' : `Room ${index + 1}`,
          notes: groupClass ? 'Small-group strength' : null,
          status: 'available',
          seriesId: null,
          createdAt: new Date(),
        });
      }
    }
  }
  await em.flush();
  return true;
}

export function demoLogins(admin: { email: string; password: string }): DemoLogins {
  const [trainerFirst] = TRAINERS[0];
  const [clientFirst, clientLast] = CLIENTS[0];
  return {
    admin,
    trainer: { email: `${trainerFirst.toLowerCase()}@studio.test`, password: DEMO_PASSWORD },
    client: { email: `${clientFirst.toLowerCase()}.${clientLast.toLowerCase()}@example.com`, password: DEMO_PASSWORD },
  };
}
