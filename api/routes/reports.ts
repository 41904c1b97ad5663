import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type, type Static, type TSchema, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  liabilityAsOf,
  MOVEMENTS,
  rollForward,
  studioDay,
  usage,
  type Liability,
  type Period,
  type RollForward,
  type Usage,
} from '../../model/reports.js';
import type { RouteDependencies } from '../dependencies.js';
import { requireRole } from '../auth/guard.js';
import { csvLines } from '../csv.js';
import { HttpError } from '../errors.js';
import { isBoundedInstant } from '../validation.js';

/*
 * The owner's reports (README, "Reports"), each as JSON for the console and as CSV for a
 * spreadsheet, with the same query. A date (YYYY-MM-DD) is a day on the studio's calendar:
 * `from` starts at its midnight, `to` and `asOf` end at the next one, so from=2026-11-01
 * and to=2026-11-30 is November as the studio lives it. An ISO 8601 instant with an offset
 * is taken as it is.
 */

const When = Type.String({
  maxLength: 40,
  pattern: '^\\d{4}-\\d{2}-\\d{2}([Tt].*)?$',
  description: 'A studio-local date (YYYY-MM-DD) or an ISO 8601 instant with offset',
});
const PeriodQuery = Type.Object(
  {
    from: Type.Optional({ ...When, description: `${When.description}; default: the first of this month` }),
    to: Type.Optional({ ...When, description: `${When.description}; the day is included; default: now` }),
  },
  { additionalProperties: false },
);
const AsOfQuery = Type.Object(
  { asOf: Type.Optional({ ...When, description: `${When.description}; a date means the end of that day; default: now` }) },
  { additionalProperties: false },
);

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function badDate(name: string, text: string): never {
  throw new HttpError(
    400,
    'INVALID_DATE',
    `${name} must be a date (YYYY-MM-DD) or an ISO 8601 instant with offset between 1970 and 2199; got "${text}".`,
  );
}

export async function reportRoutes(app: FastifyInstance, { orm, settings }: RouteDependencies): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const zone = settings.studio.timeZone;

  /** An instant from a date (its studio midnight, or the next one for an end) or from an instant. */
  async function instant(name: string, text: string, end: boolean): Promise<Date> {
    const date = DATE.exec(text);
    if (date) {
      const [year, month, day] = date.slice(1).map(Number) as [number, number, number];
      const real = new Date(Date.UTC(year, month - 1, day));
      if (year < 1970 || year > 2199 || real.getUTCMonth() !== month - 1 || real.getUTCDate() !== day) badDate(name, text);
      return studioDay(orm, zone, text, end ? 1 : 0);
    }
    if (!isBoundedInstant(text)) badDate(name, text);
    return new Date(text);
  }

  async function period(query: { from?: string | undefined; to?: string | undefined }): Promise<Period> {
    const from = query.from ? await instant('from', query.from, false) : await studioDay(orm, zone, 'month', 0);
    const to = query.to ? await instant('to', query.to, true) : new Date();
    if (to.getTime() <= from.getTime()) {
      throw new HttpError(
        400,
        'INVALID_PERIOD',
        `The period must end after it starts: from ${query.from ?? 'this month'} to ${query.to ?? 'now'}.`,
      );
    }
    return { from, to };
  }

  const asOf = (query: { asOf?: string | undefined }) => (query.asOf ? instant('asOf', query.asOf, true) : Promise.resolve(new Date()));

  const tags = ['reports'];
  const admin = requireRole('admin');

  /** One report at `path` as JSON and at `path.csv` as CSV, computed once per request from the same query. */
  function report<Q extends TSchema, R, L>(
    path: string,
    doc: { summary: string; description?: string; csvSummary: string; querystring: Q },
    compute: (query: Static<Q>) => Promise<R>,
    json: (report: R) => unknown,
    csv: { name: string; columns: ReadonlyArray<keyof L & string>; lines: (report: R) => L[] },
  ): void {
    const { csvSummary, ...schema } = doc;
    api.get(path, { preHandler: admin, schema: { tags, ...schema } }, async (request) => json(await compute(request.query as Static<Q>)));
    api.get(
      `${path}.csv`,
      { preHandler: admin, schema: { tags, summary: csvSummary, querystring: doc.querystring } },
      async (request, reply) => {
        const lines = csv.lines(await compute(request.query as Static<Q>));
        const day = new Date().toISOString().slice(0, 10);
        return reply
          .type('text/csv; charset=utf-8')
          .header('Content-Disposition', `attachment; filename="${csv.name}-${day}.csv"`)
          .send(Readable.from(csvLines<L>(csv.columns, lines)));
      },
    );
  }

  report(
    '/api/admin/reports/liability',
    {
      summary: 'What the studio owes in unused credits at a date, per package',
      description: 'Each lot: its available and held credits at its purchase price per session; allocated credits are worth 0.',
      csvSummary: 'The liability report as CSV',
      querystring: AsOfQuery,
    },
    async (query) => liabilityAsOf(orm, await asOf(query)),
    liabilityJson,
    { name: 'liability', columns: LIABILITY_COLUMNS, lines: liabilityLines },
  );
  report(
    '/api/admin/reports/roll-forward',
    {
      summary: 'Credits owed at the start of a period, what moved them, and what is owed at its end',
      description:
        'opening + sold + allocated + restored − used − forfeited − expired − refunded − removed = closing, in sessions and per currency in money.',
      csvSummary: 'The roll-forward as CSV (a sessions line and one money line per currency)',
      querystring: PeriodQuery,
    },
    async (query) => rollForward(orm, await period(query)),
    rollForwardJson,
    { name: 'roll-forward', columns: ROLL_FORWARD_COLUMNS, lines: rollForwardLines },
  );
  report(
    '/api/admin/reports/usage',
    {
      summary: 'Usage and revenue per trainer and per session type, fill rate, no-show and late-cancel rates, breakage',
      csvSummary: 'The usage report as CSV (trainer, type and breakage lines)',
      querystring: PeriodQuery,
    },
    async (query) => usage(orm, await period(query)),
    usageJson,
    { name: 'usage', columns: USAGE_COLUMNS, lines: usageLines },
  );
}

/* ---- JSON and CSV shapes: the CSV's lines are the JSON's rows, flattened ---- */

const liabilityJson = (report: Liability) => ({ ...report, asOf: report.asOf.toISOString() });
const rollForwardJson = (report: RollForward) => ({ ...report, from: report.from.toISOString(), to: report.to.toISOString() });
const usageJson = (report: Usage) => ({ ...report, from: report.from.toISOString(), to: report.to.toISOString() });

interface LiabilityLine {
  asOf: string;
  packageId: number | null;
  packageName: string;
  currency: string | null;
  lots: number;
  sessions: number;
  valueCents: number;
}
const LIABILITY_COLUMNS = ['asOf', 'packageId', 'packageName', 'currency', 'lots', 'sessions', 'valueCents'] as const;
const liabilityLines = (report: Liability): LiabilityLine[] => report.packages.map((row) => ({ asOf: report.asOf.toISOString(), ...row }));

type RollForwardCsvLine = { from: string; to: string; measure: string; currency: string | null } & Record<string, unknown>;
const ROLL_FORWARD_COLUMNS = ['from', 'to', 'measure', 'currency', 'opening', ...MOVEMENTS, 'closing'] as const;
const rollForwardLines = (report: RollForward): RollForwardCsvLine[] => {
  const period = { from: report.from.toISOString(), to: report.to.toISOString() };
  return [
    { ...period, measure: 'sessions', currency: null, ...report.sessions },
    ...report.money.map(({ currency, ...line }) => ({ ...period, measure: 'cents', currency, ...line })),
  ];
};

type UsageCsvLine = Record<(typeof USAGE_COLUMNS)[number], unknown>;
const USAGE_COLUMNS = [
  'section',
  'key',
  'name',
  'sessions',
  'seats',
  'seatsFilled',
  'fillRate',
  'bookings',
  'completed',
  'noShows',
  'lateCancels',
  'cancels',
  'noShowRate',
  'lateCancelRate',
  'creditsUsed',
  'currency',
  'valueCents',
] as const;
/** One line per trainer and per type (one per currency of its revenue, if it has several), then one per package's breakage. */
const usageLines = (report: Usage): UsageCsvLine[] => {
  const lines: UsageCsvLine[] = [];
  for (const [section, rows] of [
    ['trainer', report.trainers],
    ['type', report.types],
  ] as const) {
    for (const { revenue, ...row } of rows) {
      const amounts = revenue.length > 0 ? revenue : [{ currency: null, amountCents: 0 }];
      for (const { currency, amountCents } of amounts) lines.push({ section, ...row, currency, valueCents: amountCents } as UsageCsvLine);
    }
  }
  for (const row of report.breakage) {
    lines.push({
      section: 'breakage',
      key: row.packageId === null ? 'allocated' : String(row.packageId),
      name: row.packageName,
      sessions: row.sessions,
      currency: row.currency,
      valueCents: row.valueCents,
    } as UsageCsvLine);
  }
  return lines;
};
