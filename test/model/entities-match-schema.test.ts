import type { EntityMetadata, EntityProperty } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Orm } from '../../model/orm.js';
import { createTestDatabase } from '../support/database.js';

/**
 * The migrations are the schema; the entities are a second description of it, which the
 * ORM trusts blindly when it builds queries and hydrates rows. This file holds the two
 * together on a freshly migrated database: any column, type, nullability, default,
 * primary key, foreign key or single-column UNIQUE that one has and the other lacks fails.
 *
 * It reads pg_catalog itself rather than asking `orm.schema.getUpdateSchemaSQL()`: that diff
 * also wants to drop every CHECK, EXCLUDE, partial or expression index and trigger the
 * migrations add (entities cannot express them), renames every foreign key to its own naming
 * scheme and adds ON UPDATE CASCADE, and replaces identity columns with serial ones.
 * Filtering that output would mean parsing SQL text; comparing the catalog is exact.
 */

/**
 * Tables no entity maps: each is written by one upsert whose RETURNING is its answer
 * (stripe_events: the webhook inbox), or only by triggers (change_events, client_figures, client_count).
 */
const SQL_ONLY_TABLES = ['idempotency_keys', 'rate_limit_windows', 'change_events', 'client_figures', 'client_count', 'stripe_events'];
/** MikroORM's own bookkeeping. */
const ORM_TABLES = ['mikro_orm_migrations'];

interface Column {
  table: string;
  column: string;
  type: string;
  notNull: boolean;
  identity: boolean;
  defaultSql: string | null;
}

interface ForeignKey {
  table: string;
  column: string;
  references: string;
}

let orm: Orm;
let relations: Map<string, 'table' | 'view'>;
let columns: Column[];
let primaryKeys: Map<string, string[]>;
let foreignKeys: ForeignKey[];
let uniqueColumns: string[];
/** The entities' column types, named as PostgreSQL names them ('int' is 'integer'). */
const canonicalTypes = new Map<string, string>();

async function catalog<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return orm.em.fork().getConnection().execute<T[]>(sql, params, 'all');
}

beforeAll(async () => {
  orm = await openDatabase(await createTestDatabase(), 1);
  const kinds = await catalog<{ name: string; kind: string }>(
    `select c.relname as name, c.relkind as kind from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'v')`,
  );
  relations = new Map(kinds.map((row) => [row.name, row.kind === 'v' ? 'view' : 'table']));
  columns = await catalog<Column>(
    `select c.relname as "table", a.attname as "column", format_type(a.atttypid, a.atttypmod) as "type",
            a.attnotnull as "notNull", a.attidentity <> '' as "identity", pg_get_expr(d.adbin, d.adrelid) as "defaultSql"
       from pg_attribute a
       join pg_class c on c.oid = a.attrelid
       join pg_namespace n on n.oid = c.relnamespace
       left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where n.nspname = 'public' and c.relkind in ('r', 'v') and a.attnum > 0 and not a.attisdropped`,
  );
  const keys = await catalog<{ table: string; type: string; columns: string[]; references: string | null }>(
    `select c.relname as "table", k.contype as "type",
            array(select a.attname from unnest(k.conkey) with ordinality as u(attnum, i)
                    join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.attnum order by u.i)::text[] as "columns",
            (select r.relname || '.' || a.attname from pg_class r join pg_attribute a on a.attrelid = r.oid and a.attnum = k.confkey[1]
              where r.oid = k.confrelid) as "references"
       from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and k.contype in ('p', 'f', 'u')`,
  );
  primaryKeys = new Map(keys.filter((key) => key.type === 'p').map((key) => [key.table, key.columns]));
  foreignKeys = keys
    .filter((key) => key.type === 'f')
    .map((key) => {
      expect(key.columns, `${key.table}: composite foreign keys are not expected`).toHaveLength(1);
      return { table: key.table, column: key.columns[0]!, references: key.references! };
    });
  uniqueColumns = keys
    .filter((key) => key.type === 'u' && key.columns.length === 1)
    .map((key) => `${key.table}.${key.columns[0]}`)
    .sort();

  const entityTypes = [...new Set(mapped().flatMap(({ prop }) => prop.columnTypes))];
  const named = await catalog<{ given: string; name: string }>(
    `select given, format_type(to_regtype(given), null) as name from unnest(?::text[]) as given`,
    [`{${entityTypes.join(',')}}`],
  );
  for (const { given, name } of named) canonicalTypes.set(given, name);
});

afterAll(async () => {
  await orm?.close(true);
});

/** Every entity with its table, and every property that is a column of it. */
function mapped(): { meta: EntityMetadata; prop: EntityProperty }[] {
  return Object.values(orm.getMetadata().getAll())
    .filter((meta) => !meta.embeddable && !meta.virtual)
    .flatMap((meta) =>
      meta.props
        .filter((prop) => prop.persist !== false && (prop.kind === 'scalar' || prop.kind === 'm:1' || (prop.kind === '1:1' && prop.owner)))
        .map((prop) => ({ meta, prop })),
    );
}

function entitiesOf(kind: 'table' | 'view'): EntityMetadata[] {
  return Object.values(orm.getMetadata().getAll()).filter(
    (meta) => !meta.embeddable && !meta.virtual && relations.get(meta.tableName) === kind,
  );
}

/** What each entity declares, one line per column, in the catalog's own words. */
function declared(metas: EntityMetadata[]): string[] {
  return mapped()
    .filter(({ meta }) => metas.includes(meta))
    .map(({ meta, prop }) => {
      expect(prop.fieldNames, `${meta.className}.${prop.name} maps one column`).toHaveLength(1);
      const type = canonicalTypes.get(prop.columnTypes[0]!) ?? `unknown type ${prop.columnTypes[0]}`;
      return `${meta.tableName}.${prop.fieldNames[0]} ${type}`;
    })
    .sort();
}

function inCatalog(tables: string[], line: (column: Column) => string): string[] {
  return columns
    .filter((column) => tables.includes(column.table))
    .map(line)
    .sort();
}

describe('entities match the migrated schema', () => {
  it('every table has an entity, except the SQL-only ones', () => {
    const tables = [...relations].filter(([, kind]) => kind === 'table').map(([name]) => name);
    const withEntity = entitiesOf('table').map((meta) => meta.tableName);
    expect(tables.filter((table) => !withEntity.includes(table)).sort()).toEqual([...ORM_TABLES, ...SQL_ONLY_TABLES].sort());
    expect(
      Object.values(orm.getMetadata().getAll())
        .filter((meta) => !relations.has(meta.tableName))
        .map((meta) => meta.className),
    ).toEqual([]);
  });

  it('every column of every table is a property of its entity, with the same type', () => {
    const metas = entitiesOf('table');
    expect(declared(metas)).toEqual(
      inCatalog(
        metas.map((meta) => meta.tableName),
        (column) => `${column.table}.${column.column} ${column.type}`,
      ),
    );
  });

  it('nullability agrees', () => {
    const metas = entitiesOf('table');
    const nullable = mapped()
      .filter(({ meta }) => metas.includes(meta))
      .map(({ meta, prop }) => `${meta.tableName}.${prop.fieldNames[0]} ${prop.nullable ? 'null' : 'not null'}`)
      .sort();
    expect(nullable).toEqual(
      inCatalog(
        metas.map((meta) => meta.tableName),
        (column) => `${column.table}.${column.column} ${column.notNull ? 'not null' : 'null'}`,
      ),
    );
  });

  it('defaults agree, and identity columns are declared as generated', () => {
    const metas = entitiesOf('table');
    const defaults = mapped()
      .filter(({ meta }) => metas.includes(meta))
      .map(({ meta, prop }) => {
        const generated = prop.generated === 'by default as identity' ? 'identity' : '';
        return `${meta.tableName}.${prop.fieldNames[0]} ${generated || (prop.defaultRaw ?? '-')}`;
      })
      .sort();
    // The catalog spells a text literal with its cast ('usd'::text); the entity, like SQL, without.
    expect(defaults).toEqual(
      inCatalog(
        metas.map((meta) => meta.tableName),
        (column) => `${column.table}.${column.column} ${column.identity ? 'identity' : (column.defaultSql?.replace(/::text$/, '') ?? '-')}`,
      ),
    );
  });

  it('primary keys agree', () => {
    for (const meta of entitiesOf('table')) {
      const declaredKey = meta.primaryKeys.flatMap((name) => meta.properties[name]!.fieldNames);
      expect(declaredKey, meta.className).toEqual(primaryKeys.get(meta.tableName));
    }
  });

  it('every foreign key is a relation to the same table, and every relation a foreign key', () => {
    const metas = entitiesOf('table');
    const declaredKeys = mapped()
      .filter(({ meta, prop }) => metas.includes(meta) && prop.kind !== 'scalar')
      .map(({ meta, prop }) => {
        const target = orm.getMetadata().get(prop.type);
        return `${meta.tableName}.${prop.fieldNames[0]} -> ${target.tableName}.${prop.referencedColumnNames[0]}`;
      })
      .sort();
    const tables = metas.map((meta) => meta.tableName);
    expect(declaredKeys).toEqual(
      foreignKeys
        .filter((key) => tables.includes(key.table))
        .map((key) => `${key.table}.${key.column} -> ${key.references}`)
        .sort(),
    );
  });

  it('single-column UNIQUE constraints agree', () => {
    const declaredUniques = mapped()
      .filter(({ prop }) => prop.unique)
      .map(({ meta, prop }) => `${meta.tableName}.${prop.fieldNames[0]}`)
      .sort();
    const tables = entitiesOf('table').map((meta) => meta.tableName);
    expect(declaredUniques).toEqual(uniqueColumns.filter((column) => tables.includes(column.split('.')[0]!)));
  });

  it('the client_balances view entity reads every column of the view, with the same type', () => {
    const views = entitiesOf('view');
    expect(views.map((meta) => meta.tableName)).toEqual(['client_balances']);
    expect(declared(views)).toEqual(inCatalog(['client_balances'], (column) => `${column.table}.${column.column} ${column.type}`));
  });
});
