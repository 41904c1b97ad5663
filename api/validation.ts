import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { HttpError } from './errors.js';

/*
 * Every input is bounded before it can reach JavaScript's Date or PostgreSQL's types,
 * so no value that passes a schema fails later as a 500:
 * - integers default to PostgreSQL's int4 range (a schema that needs more says so);
 * - strings default to a length bound, and no text anywhere carries NUL (PostgreSQL's
 *   text cannot hold it);
 * - a date-time is a real RFC 3339 instant between 1970 and 2199 (no leap second 60,
 *   no 30 February, no year 0000 or 9999 that a window would push out of range);
 * - bodies are strict JSON types (`true` is not 1, `null` is not 0); only the query
 *   string, the path and headers, which are text by nature, are parsed into numbers.
 */

export const INT4_MAX = 2_147_483_647;
const INT4_MIN = -2_147_483_648;
const DEFAULT_MAX_LENGTH = 10_000;
const FIRST_YEAR = 1970;
const LAST_YEAR = 2199;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/** True for an instant every layer can hold: Date, toISOString, PostgreSQL's timestamptz. */
export function isBoundedInstant(text: string): boolean {
  const match = RFC3339.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < FIRST_YEAR || year > LAST_YEAR || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return false;
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day || day < 1) return false;
  if (match[10] !== undefined && (Number(match[10]) > 23 || Number(match[11]) > 59)) return false;
  return Number.isFinite(Date.parse(text));
}

type SchemaNode = Record<string, unknown>;

/** Adds the default bounds to every integer and string of a schema, in place (so /docs shows them too). */
export function boundSchema(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    node.forEach(boundSchema);
    return;
  }
  const schema = node as SchemaNode;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('integer')) {
    schema.maximum ??= INT4_MAX;
    schema.minimum ??= INT4_MIN;
  }
  if (types.includes('string') && schema.const === undefined && schema.enum === undefined) {
    schema.maxLength ??= DEFAULT_MAX_LENGTH;
  }
  for (const [key, value] of Object.entries(schema)) {
    if (key !== 'const' && key !== 'enum' && key !== 'default' && key !== 'examples') boundSchema(value);
  }
}

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (!value || typeof value !== 'object' || depth > 32 || Buffer.isBuffer(value)) return false;
  if (Array.isArray(value)) return value.some((item) => containsNul(item, depth + 1));
  return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item, depth + 1));
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function compiler(options: Options): Ajv {
  const ajv = new Ajv({ allErrors: true, removeAdditional: false, useDefaults: true, addUsedSchema: false, strict: false, ...options });
  addFormats(ajv);
  ajv.addFormat('date-time', { type: 'string', validate: isBoundedInstant });
  return ajv;
}

/** Installs the bounds, the strict-body compiler and the NUL refusal on every route of the app. */
export function installValidation(app: FastifyInstance): void {
  const strict = compiler({ coerceTypes: false });
  const parsing = compiler({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : parsing).compile(schema));
  app.addHook('onRoute', (route) => {
    const schema = route.schema as FastifySchema | undefined;
    if (schema) for (const part of [schema.body, schema.querystring, schema.params, schema.headers]) boundSchema(part);
  });
  app.addHook('preValidation', async (request) => {
    if (containsNul(request.body) || containsNul(request.query) || containsNul(request.params)) {
      throw new HttpError(400, 'INVALID_TEXT', 'Text may not contain the NUL character (\\u0000).');
    }
  });
}
