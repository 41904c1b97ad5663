import { Type } from '@fastify/type-provider-typebox';
import type { PageRequest, Sort } from '../../model/admin-queries.js';
import { HttpError } from '../errors.js';
import { isBoundedInstant } from '../validation.js';

/**
 * The ra-data-simple-rest protocol the console's data provider speaks (see
 * node_modules/ra-data-simple-rest/src/index.ts):
 *
 *   getList   GET /r?sort=["field","ASC"]&range=[0,24]&filter={...}  → rows + Content-Range: r 0-24/319
 *   getMany   GET /r?filter={"id":[1,2,3]}                           → rows (no sort, no range)
 *   getManyReference                                                  → getList with the target in filter
 *   getOne    GET /r/:id;  create POST /r;  update PUT /r/:id;  delete DELETE /r/:id
 *
 * This module turns the three JSON query parameters into checked values; anything it
 * cannot read is the caller's mistake (400), never a 500.
 */

/** No list answers more rows than this, whatever range was asked for. */
export const MAX_ROWS = 500;

/** The query string of every list route, documented once for the OpenAPI document. */
export const ListQuerystring = Type.Object({
  sort: Type.Optional(Type.String({ description: 'JSON ["field","ASC"|"DESC"]', examples: ['["id","ASC"]'] })),
  range: Type.Optional(
    Type.String({ description: `JSON [first,last] row index, inclusive; at most ${MAX_ROWS} rows`, examples: ['[0,24]'] }),
  ),
  filter: Type.Optional(Type.String({ description: 'JSON object of filters; {"id":[…]} fetches several records by id', examples: ['{}'] })),
  embed: Type.Optional(Type.String({ description: 'Accepted for protocol compatibility; ignored' })),
});

function parseJson(name: string, raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpError(400, `INVALID_${name.toUpperCase()}`, `The ${name} parameter is not valid JSON.`);
  }
}

export function parseSort(raw: string | undefined, sortable: readonly string[], fallback: Sort): Sort {
  if (raw === undefined || raw === '') return fallback;
  const value = parseJson('sort', raw);
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string' || typeof value[1] !== 'string') {
    throw new HttpError(400, 'INVALID_SORT', 'sort must be a JSON array ["field","ASC"|"DESC"].');
  }
  const [field, order] = value as [string, string];
  if (!sortable.includes(field)) {
    throw new HttpError(400, 'INVALID_SORT', `Cannot sort by "${field}"; sortable fields: ${sortable.join(', ')}.`);
  }
  const direction = order.toUpperCase();
  if (direction !== 'ASC' && direction !== 'DESC') {
    throw new HttpError(400, 'INVALID_SORT', 'The sort order must be "ASC" or "DESC".');
  }
  return { field, order: direction };
}

/** [first, last] inclusive; a wider range is cut to MAX_ROWS and the Content-Range says so. */
export function parseRange(raw: string | undefined): { offset: number; limit: number } {
  if (raw === undefined || raw === '') return { offset: 0, limit: MAX_ROWS };
  const value = parseJson('range', raw);
  if (!Array.isArray(value) || value.length !== 2 || !value.every((n) => Number.isSafeInteger(n) && n >= 0) || value[1] < value[0]) {
    throw new HttpError(400, 'INVALID_RANGE', 'range must be a JSON array [first,last] of row indexes with 0 <= first <= last.');
  }
  const [first, last] = value as [number, number];
  return { offset: first, limit: Math.min(last - first + 1, MAX_ROWS) };
}

// `clients 0-24/319`; an empty page is `clients */319`, as HTTP writes an unsatisfiable range.
export function contentRange(resource: string, offset: number, rows: number, total: number): string {
  return rows === 0 ? `${resource} */${total}` : `${resource} ${offset}-${offset + rows - 1}/${total}`;
}

/* ---- filters ---- */

type FilterReader<T> = (key: string, value: unknown) => T;
export type FilterSpec = Record<string, FilterReader<unknown>>;
export type Filter<S extends FilterSpec> = { [K in keyof S]?: ReturnType<S[K]> };

const MAX_INT = 2_147_483_647;

function invalid(key: string, expected: string): never {
  throw new HttpError(400, 'INVALID_FILTER', `Filter "${key}" must be ${expected}.`);
}

function positiveInteger(key: string, value: unknown): number {
  const number = typeof value === 'string' && /^[0-9]{1,10}$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > MAX_INT)
    invalid(key, 'a positive whole number (an id)');
  return number;
}

function oneOrMany(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** A date (midnight UTC) or a full RFC 3339 date-time with its zone, so no server's local time decides. */
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Readers for the value of one filter key: each checks the shape and returns a typed value. */
export const filters = {
  /** One id, or the array getMany sends; ids may arrive as numbers or numeric strings. */
  ids: (key: string, value: unknown): number[] => {
    const ids = oneOrMany(value);
    if (ids.length > MAX_ROWS) invalid(key, `at most ${MAX_ROWS} ids`);
    return ids.map((id) => positiveInteger(key, id));
  },
  id: positiveInteger,
  text: (key: string, value: unknown): string => {
    if (typeof value !== 'string' && typeof value !== 'number') invalid(key, 'text');
    const text = String(value).trim();
    if (text.length > 200) invalid(key, 'at most 200 characters');
    if (text.includes('\u0000')) invalid(key, 'text without the NUL character');
    return text;
  },
  boolean: (key: string, value: unknown): boolean => {
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    return invalid(key, 'true or false');
  },
  instant: (key: string, value: unknown): Date => {
    // Bounded like every date-time in the schemas (see ../validation.ts).
    const instant = typeof value === 'string' && DATE.test(value) ? `${value}T00:00:00Z` : value;
    if (typeof instant !== 'string' || !isBoundedInstant(instant)) {
      invalid(key, 'a date (2026-11-27) or a date-time with its zone (2026-11-27T09:00:00Z), from 1970 to 2199');
    }
    return new Date(instant);
  },
  /** One of a fixed set of values, or an array of them. */
  oneOf:
    <const V extends string>(allowed: readonly V[]) =>
    (key: string, value: unknown): V[] => {
      const values = oneOrMany(value);
      for (const item of values) {
        if (typeof item !== 'string' || !allowed.includes(item as V)) invalid(key, `one of ${allowed.join(', ')}`);
      }
      return values as V[];
    },
};

/** Unknown keys are refused, so a misspelt filter never silently lists everything. Empty values count as absent. */
export function parseFilter<S extends FilterSpec>(raw: string | undefined, spec: S): Filter<S> {
  if (raw === undefined || raw === '') return {};
  const value = parseJson('filter', raw);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'INVALID_FILTER', 'filter must be a JSON object.');
  }
  const parsed: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const read = Object.hasOwn(spec, key) ? spec[key] : undefined;
    if (!read) {
      throw new HttpError(400, 'INVALID_FILTER', `Unknown filter "${key}"; filters here: ${Object.keys(spec).join(', ')}.`);
    }
    if (item === null || item === undefined || item === '') continue;
    parsed[key] = read(key, item);
  }
  return parsed as Filter<S>;
}

export function parseListRequest<S extends FilterSpec>(
  query: { sort?: string | undefined; range?: string | undefined; filter?: string | undefined },
  resource: { sortable: readonly string[]; defaultSort: Sort; filters: S },
): PageRequest<Filter<S>> {
  const sort = parseSort(query.sort, resource.sortable, resource.defaultSort);
  const { offset, limit } = parseRange(query.range);
  return { filter: parseFilter(query.filter, resource.filters), sort, offset, limit };
}
