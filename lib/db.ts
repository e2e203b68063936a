// The one Prisma client, on PostgreSQL through the pg driver adapter (no Rust engine), and the
// pg pool under it, which the write path's single statement uses directly (see sqlQuery).
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient, type Prisma } from "@/lib/generated/prisma/client";
import { log, outsideRequest } from "@/lib/log";

// Reads and writes side by side; writes hold at most 8 of these (MAX_CHANGES_IN_FLIGHT in
// lib/products/mutations.ts), since they serialise on the event-order lock anyway.
const POOL_SIZE = 20;

/**
 * Gives every connection of `pool` a listener for its 'error' event. The pool listens on idle
 * connections only: one that is checked out (a transaction, pool.connect()) when the database
 * dies emits 'error' with no listener, an uncaughtException. Its queries fail all the same, so
 * their callers see the loss; the broken connection is dropped when it is released.
 */
export function handleConnectionErrors(pool: pg.Pool, what: string) {
  // An idle connection that breaks (database restart): the pool drops it, the next query opens a fresh one.
  // Outside any request: the connection may have been opened while serving one long gone.
  pool.on("error", (error) => outsideRequest(() => log.warn({ why: error.message }, `${what} connection lost`)));
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}

export function createPool(databaseUrl: string) {
  return handleConnectionErrors(new pg.Pool({ connectionString: databaseUrl, max: POOL_SIZE }), "database");
}

export function createPrismaClient(databaseUrl: string, pool: pg.Pool = createPool(databaseUrl)) {
  return new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
}

const globalForPrisma = globalThis as unknown as { stockpulsePool?: pg.Pool; stockpulsePrisma?: PrismaClient };

// Not env(): `next build` imports route modules without a database; the URL is validated at
// server start (instrumentation.ts) and nothing connects before the first query.
export const pool = globalForPrisma.stockpulsePool ?? createPool(process.env.DATABASE_URL ?? "");
export const db = globalForPrisma.stockpulsePrisma ?? createPrismaClient(process.env.DATABASE_URL ?? "", pool);
globalForPrisma.stockpulsePool = pool;
globalForPrisma.stockpulsePrisma = db;

/**
 * Runs one `Prisma.sql` statement straight on the pool, for the write path's hot statement.
 * `db.$queryRaw` sends the same text and values, but first has Prisma's query compiler (WASM)
 * plan it and its runtime trace, wrap and re-map every row: ~0.3 ms of the server's CPU per
 * stock adjustment, a third of what the whole request cost under `next start` (bench/writes.ts).
 * Rows come back as pg parses them: int4 as number, timestamptz as Date, int8 as string. Errors
 * are pg's (`code` is the SQLSTATE).
 */
export async function sqlQuery<Row>(query: Prisma.Sql, via: Queryable = pool): Promise<Row[]> {
  return (await via.query({ text: query.text, values: query.values as unknown[] })).rows as Row[];
}

/** Where a statement runs: the pool (its own transaction) or a client inside withTransaction. */
export type Queryable = Pick<pg.Pool, "query"> | pg.PoolClient;

// What runs once a transaction of withTransaction's has committed (see afterCommit).
const commitHooks = new WeakMap<Queryable, Array<() => void>>();

/**
 * Runs `committed` once what `via` wrote is committed: after withTransaction's COMMIT when `via`
 * is its client, at once when it is the pool (each statement commits on its own). For what must
 * not be said of a change that may still roll back, such as its log line.
 */
export function afterCommit(via: Queryable | undefined, committed: () => void) {
  const hooks = via && commitHooks.get(via);
  if (hooks) hooks.push(committed);
  else committed();
}

/** How many afterCommit hooks `client`'s transaction holds: a mark for forgetCommitHooks. */
export const commitHookCount = (client: pg.PoolClient): number => commitHooks.get(client)?.length ?? 0;

/** After ROLLBACK TO SAVEPOINT: forgets the hooks given since `mark`, as the savepoint forgets those writes. */
export function forgetCommitHooks(client: pg.PoolClient, mark: number) {
  const hooks = commitHooks.get(client);
  if (hooks && hooks.length > mark) hooks.length = mark;
}

/** Runs `run` in one READ COMMITTED transaction on one pooled connection: COMMIT, or ROLLBACK if it throws. */
export async function withTransaction<T>(run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  const hooks: Array<() => void> = [];
  commitHooks.set(client, hooks);
  try {
    await client.query("BEGIN");
    const result = await run(client);
    await client.query("COMMIT");
    commitHooks.delete(client);
    for (const hook of hooks) hook();
    return result;
  } catch (error) {
    // A connection that cannot even roll back is dropped, not handed to the next request.
    await client.query("ROLLBACK").catch(() => (broken = true));
    throw error;
  } finally {
    commitHooks.delete(client);
    client.release(broken);
  }
}
