import fc from 'fast-check';

/*
 * fast-check arbitraries built from a route's own JSON schema: mostly values the schema
 * would accept (so requests reach the handlers, the workflows and PostgreSQL), mixed with
 * the values attackers and broken clients send: boundary integers, impossible dates,
 * unicode, NUL, wrong types and huge strings.
 */

type Schema = Record<string, unknown>;

const INT4 = 2_147_483_647;
const boundaryIntegers = fc.constantFrom(0, -1, 1, INT4, INT4 + 1, -INT4 - 1, -INT4 - 2, 2 ** 53 - 1, 2 ** 53, 2 ** 63, 1e21, -1e21, 0.5);
const oddInstants = fc.constantFrom(
  '2026-12-31T23:59:60Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '2027-02-30T10:00:00Z',
  '2027-13-01T00:00:00Z',
  '2027-01-01T24:00:00Z',
  '2027-01-01T10:00:00+99:00',
  '+275760-09-13T00:00:00Z',
  '2027-01-01',
  '2027-01-01T10:00',
  'yesterday',
  '1969-12-31T23:59:59Z',
  '2199-12-31T23:59:59Z',
  '2200-01-01T00:00:00Z',
  '',
);
const nearInstants = fc.integer({ min: -30, max: 120 }).map((days) => new Date(Date.now() + days * 86_400_000 + 3_600_000).toISOString());
const nastyStrings = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 20 }).map((text) => `${text}\u0000${text}`),
  fc.constantFrom(
    "'; drop table users; --",
    '%00',
    '\\u0000',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🧘‍♀️',
    '\u202e',
    '  ',
    'null',
    'true',
    '1e21',
  ),
  fc.integer({ min: 10_001, max: 70_000 }).map((length) => 'x'.repeat(length)),
);
/** The ra-data-simple-rest list parameters are JSON inside a string; give them JSON worth parsing. */
const FILTER_KEYS = [
  'q',
  'id',
  'clientId',
  'sessionId',
  'trainerId',
  'packageId',
  'purchaseId',
  'status',
  'kind',
  'from',
  'to',
  'active',
  'lowBalance',
  'workflowId',
  'role',
];
const listParameters: Record<string, fc.Arbitrary<string>> = {
  sort: fc
    .tuple(
      fc.constantFrom('id', 'lastName', 'startsAt', 'createdAt', 'available', 'name', 'nope'),
      fc.constantFrom('ASC', 'DESC', 'asc', 'sideways'),
    )
    .map((pair) => JSON.stringify(pair)),
  range: fc
    .tuple(fc.oneof(fc.nat(600), fc.constantFrom(-1, 2 ** 53, 1e21)), fc.oneof(fc.nat(600), fc.constantFrom(-1, 2 ** 53)))
    .map((pair) => JSON.stringify(pair)),
  filter: fc
    .dictionary(
      fc.constantFrom(...FILTER_KEYS),
      fc.oneof(fc.nat(10), fc.string({ maxLength: 10 }), fc.array(fc.nat(10), { maxLength: 3 }), hostileOf()),
      { maxKeys: 3 },
    )
    .map((filter) => JSON.stringify(filter)),
};

function hostileOf(): fc.Arbitrary<unknown> {
  return fc.oneof(boundaryIntegers, oddInstants, fc.constantFrom<unknown>(null, true, {}, 'a\u0000b', 'x'.repeat(300)));
}

const wrongTypes = fc.constantFrom<unknown>(null, true, false, {}, [], [1], { id: 1 }, '', '1', 0, -0, 1e21);

/** Anything at all: for a value whose schema we do not follow. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(boundaryIntegers, oddInstants, nastyStrings, wrongTypes);

export interface ArbitraryOptions {
  /** Ids of real records (for integer fields named *id / *Id), so some requests find something. */
  knownIds: number[];
  /** Ids of real records that are strings (a series id), for string fields named *id / *Id. */
  knownStrings?: string[];
}

function typesOf(schema: Schema): string[] {
  return Array.isArray(schema.type) ? (schema.type as string[]) : schema.type ? [schema.type as string] : [];
}

function validValue(schema: Schema, name: string, options: ArbitraryOptions, depth: number): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(schema[key]))
      return fc.oneof(...(schema[key] as Schema[]).map((option) => valueFor(option, name, options, depth + 1)));
  }
  const choices = typesOf(schema).map((type): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'integer':
      case 'number': {
        const min = typeof schema.minimum === 'number' ? schema.minimum : -INT4 - 1;
        const max = typeof schema.maximum === 'number' ? schema.maximum : INT4;
        const range = fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) });
        const known = /id$/i.test(name) && options.knownIds.length > 0 ? [fc.constantFrom(...options.knownIds)] : [];
        return fc.oneof(...known, ...known, range, fc.constantFrom(min, max, Math.max(min, 1)));
      }
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'string': {
        if (schema.format === 'date-time') return fc.oneof(nearInstants, nearInstants, oddInstants);
        if (listParameters[name]) return fc.oneof(listParameters[name]!, listParameters[name]!, fc.json({ maxDepth: 2 }));
        if (schema.format === 'email') return fc.emailAddress();
        const maxLength = Math.min(typeof schema.maxLength === 'number' ? schema.maxLength : 50, 60);
        const known = /id$/i.test(name) && options.knownStrings?.length ? [fc.constantFrom(...options.knownStrings)] : [];
        if (typeof schema.pattern === 'string')
          return fc.oneof(
            ...known,
            fc.stringMatching(new RegExp(schema.pattern)).filter((text) => text.length <= maxLength),
          );
        const minLength = Math.min(typeof schema.minLength === 'number' ? schema.minLength : 0, maxLength);
        return fc.string({ minLength, maxLength });
      }
      case 'array':
        return fc.array(valueFor((schema.items as Schema) ?? {}, name, options, depth + 1), { maxLength: 4 });
      case 'object': {
        const properties = (schema.properties as Record<string, Schema>) ?? {};
        const required = (schema.required as string[]) ?? [];
        const record = fc.record(
          Object.fromEntries(Object.entries(properties).map(([key, property]) => [key, valueFor(property, key, options, depth + 1)])),
          { requiredKeys: required.filter((key) => key in properties) },
        );
        return fc.oneof(
          { weight: 4, arbitrary: record },
          {
            weight: 1,
            arbitrary: fc
              .tuple(record, fc.dictionary(fc.string({ maxLength: 8 }), hostileValue, { maxKeys: 2 }))
              .map(([known, extra]) => ({ ...extra, ...known })),
          },
        );
      }
      default:
        return hostileValue;
    }
  });
  return choices.length > 0 ? fc.oneof(...choices) : hostileValue;
}

/** A value for `schema`: usually one it accepts, sometimes one that attacks it. */
export function valueFor(schema: Schema | undefined, name: string, options: ArbitraryOptions, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return hostileValue;
  return fc.oneof({ weight: 4, arbitrary: validValue(schema, name, options, depth) }, { weight: 1, arbitrary: hostileValue });
}

/** Path and query values travel as text: objects and arrays as JSON (the ra-data-simple-rest way). */
export function asText(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
