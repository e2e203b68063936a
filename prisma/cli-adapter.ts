// The driver adapter the Prisma CLI (migrate, db seed, status) uses, with the two fixes that
// Prisma 6.19 needs here (catalog types the adapter cannot map, prisma/orm issue 27403, and a
// shadow database for migrate dev) and a third for PostgreSQL 18. Used only by prisma.config.ts.
import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

const NAME = 19;
const CHAR = 18;
const NAME_ARRAY = 1003;
const CHAR_ARRAY = 1002;
const TEXT = 25;
const TEXT_ARRAY = 1009;

type Field = { dataTypeID: number };
type Result = { fields?: Field[]; rows?: unknown[][] };

const parseTextArray = pg.types.getTypeParser(TEXT_ARRAY as Parameters<typeof pg.types.getTypeParser>[0], "text") as (
  value: string,
) => string[];

// adapter-pg 6.x cannot map the catalog types `name` and `"char"` that the schema engine reads
// (prisma/orm issue 27403): report them as text, and their arrays as text[].
function asText(result: Result): Result {
  dropCheckConstraints(result);
  result.fields?.forEach((field, column) => {
    if (field.dataTypeID === NAME || field.dataTypeID === CHAR) field.dataTypeID = TEXT;
    if (field.dataTypeID === NAME_ARRAY || field.dataTypeID === CHAR_ARRAY) {
      field.dataTypeID = TEXT_ARRAY;
      for (const row of result.rows ?? []) {
        if (Array.isArray(row) && typeof row[column] === "string") row[column] = parseTextArray(row[column]);
      }
    }
  });
  return result;
}

const patched = new WeakSet<object>();

// Pool queries and transaction (checked-out client) queries both need the mapping.
// The schema engine's constraint query (CHECK, exclusion and, on PostgreSQL 18, NOT NULL rows)
// reads contype as a Rust char, which never arrives through a driver adapter: it panics on the
// first row (prisma/orm issue 29635). Prisma does not manage CHECK constraints (ours are written
// by hand in migrations) and reads nullability from pg_attribute, so hand it no rows.
function dropCheckConstraints(result: Result) {
  const isConstraintQuery = result.fields?.some((field) => (field as { name?: string }).name === "constraint_type");
  if (!isConstraintQuery || !result.rows) return;
  result.rows = [];
  (result as { rowCount?: number }).rowCount = 0;
}

class CatalogTypesPool extends pg.Pool {
  constructor(config: pg.PoolConfig) {
    super(config);
    this.on("connect", (client) => {
      if (patched.has(client)) return;
      patched.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      // @ts-expect-error: one wrapper for pg's many query() overloads (callback and promise forms).
      client.query = (...args: unknown[]) => {
        const callback = args.at(-1);
        if (typeof callback === "function") {
          args[args.length - 1] = (error: Error | null, result?: Result) => callback(error, result && asText(result));
          return query(...args);
        }
        const pending = query(...args);
        return pending instanceof Promise ? pending.then((result: Result) => asText(result)) : pending;
      };
    });
  }
}

// adapter-pg's own connectToShadowDb() keeps `connectionString`, which overrides `database`, so
// the "shadow" database would be the main one. Create a uniquely named one and point at it.
class CliPrismaPg extends PrismaPg {
  constructor(private readonly url: string) {
    super(new CatalogTypesPool({ connectionString: url }));
  }

  override async connectToShadowDb() {
    const name = `prisma_shadow_${randomUUID().replaceAll("-", "")}`;
    const admin = new pg.Client({ connectionString: this.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();

    const shadowUrl = new URL(this.url);
    shadowUrl.pathname = `/${name}`;
    const shadow = await new PrismaPg(new CatalogTypesPool({ connectionString: shadowUrl.toString() }), {
      disposeExternalPool: true,
    }).connect();
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      const cleanup = new pg.Client({ connectionString: this.url });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await cleanup.end();
    };
    return shadow;
  }
}

export function cliAdapter(url: string) {
  return new CliPrismaPg(url);
}
