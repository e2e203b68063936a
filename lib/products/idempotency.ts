// Idempotent writes (docs/api.md, "Idempotent writes"; guarantee 7). A write that carries an
// `Idempotency-Key` runs in one transaction that also records its answer: the change and the
// record commit together or not at all. A crash (or a lost connection) before COMMIT leaves
// neither, so the retry applies the change once; after COMMIT both are there, so the retry
// gets the stored answer and applies nothing. Kept in PostgreSQL, so any instance answers.
//
// While a request runs, its transaction holds an advisory lock on its key (scope and key
// hashed to 64 bits): a second request with the same key finds it taken and gets 409
// IDEMPOTENCY_IN_PROGRESS at once instead of queueing behind it. PostgreSQL releases the lock
// at COMMIT or ROLLBACK, and when a crashed instance's connection drops.
//
// Which answers are kept: the outcome of the change itself, a success or a refusal the change
// made (404, 409 INSUFFICIENT_STOCK, VERSION_CONFLICT, ...), since the same request would meet
// the same refusal. Not kept: answers given before the change began (authentication, a bad
// body or key, rate limits, this module's own 409/422) and server errors (5xx, a database
// outage), which a retry should run again.
import { createHash, randomUUID } from "node:crypto";
import type pg from "pg";
import type { Caller, HeaderSource } from "@/lib/auth/guards";
import { commitHookCount, forgetCommitHooks, sqlQuery, withTransaction } from "@/lib/db";
import { ApiError, errorReply, withCurrentRequestId, withoutRequestId } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import { throughGate } from "@/lib/products/mutations";
import { idempotencyKeySchema } from "@/lib/products/validation";

/** What a write answers, whichever server sends it. */
export type Reply = { status: number; body: unknown; headers?: Record<string, string> };

export const IDEMPOTENCY_KEY_HEADER = "idempotency-key";
export const REPLAYED_HEADER = "Idempotent-Replayed";
const KEEP_HOURS = 24;
// Expired records each keyed request deletes on its way (lazy pruning keeps the table bounded).
const PRUNE_BATCH = 50;

/** The request's Idempotency-Key, null without one; 400 INVALID_IDEMPOTENCY_KEY when malformed. */
export function idempotencyKey(request: HeaderSource): string | null {
  const key = request.headers.get(IDEMPOTENCY_KEY_HEADER);
  if (key === null) return null;
  // 1-255 visible ASCII characters (the OpenAPI document publishes the same schema): any UUID fits.
  if (!idempotencyKeySchema.safeParse(key).success) {
    throw new ApiError(
      400,
      "INVALID_IDEMPOTENCY_KEY",
      "Idempotency-Key must be 1 to 255 visible ASCII characters (no spaces), such as a UUID",
    );
  }
  return key;
}

type Keyed = {
  caller: Caller;
  key: string | null;
  /** Method and path, e.g. `POST /api/v1/products/7/stock-adjustments`: part of the key's scope. */
  route: string;
  /** The parsed JSON body: a retry must send the same one. */
  body: unknown;
};

type StoredReply = { requestHash: string; status: number; body: string };

// The status of a record whose request is still running elsewhere (idempotentCall's claim).
const IN_PROGRESS = 0;

const inProgress = () =>
  new ApiError(
    409,
    "IDEMPOTENCY_IN_PROGRESS",
    "A request with this Idempotency-Key is still being processed; retry shortly for its answer",
    undefined,
    { "retry-after": "1" },
  );

function scopeOf({ caller, key, route, body }: Keyed & { key: string }) {
  const scope = `${caller.credential} ${route}`;
  const requestHash = createHash("sha256").update(JSON.stringify(body)).digest("hex");
  return { scope, key, requestHash };
}

/**
 * In `client`'s transaction: takes the key's advisory lock (409 if another request holds it) and
 * answers the stored reply of an earlier request with this key, if any; otherwise deletes this
 * key's expired record and a few others (nothing else prunes them) and answers null.
 */
async function storedReply(client: pg.PoolClient, scope: string, key: string, requestHash: string) {
  const [{ locked }] = await sqlQuery<{ locked: boolean }>(
    Prisma.sql`SELECT pg_try_advisory_xact_lock(hashtextextended(${scope} || ' ' || ${key}, 0)) AS locked`,
    client,
  );
  if (!locked) throw inProgress();
  const [stored] = await sqlQuery<StoredReply>(
    Prisma.sql`SELECT "requestHash", status, body FROM "IdempotencyKey"
               WHERE scope = ${scope} AND key = ${key} AND "expiresAt" > now()`,
    client,
  );
  if (stored) {
    if (stored.requestHash !== requestHash) {
      throw new ApiError(
        422,
        "IDEMPOTENCY_KEY_REUSED",
        "This Idempotency-Key was used for a request with another body; send a new key for a new request",
      );
    }
    if (stored.status === IN_PROGRESS) throw inProgress();
    // A refusal's body names the request that got it: this one, not the first.
    const body = withCurrentRequestId(JSON.parse(stored.body));
    return { status: stored.status, body, headers: { [REPLAYED_HEADER]: "true" } };
  }
  await sqlQuery(
    Prisma.sql`DELETE FROM "IdempotencyKey" WHERE (scope = ${scope} AND key = ${key})
               OR ctid = ANY(ARRAY(SELECT ctid FROM "IdempotencyKey" WHERE "expiresAt" <= now()
                                   LIMIT ${PRUNE_BATCH} FOR UPDATE SKIP LOCKED))`,
    client,
  );
  return null;
}

/** A refusal (a 4xx ApiError) as the reply to keep; anything else is thrown on. */
function refusalReply(error: unknown): Reply {
  if (!(error instanceof ApiError) || error.status >= 500) throw error;
  const { status, body } = errorReply(error);
  return { status, body };
}

/**
 * Runs `write` and returns its reply. Without a key, as any write (its own statement or
 * transaction). With one: the stored reply again (with Idempotent-Replayed), or `write` run
 * inside a transaction that records its reply before it commits.
 */
export async function idempotentWrite(
  { caller, key, route, body }: Keyed,
  write: (via: pg.PoolClient | undefined) => Promise<Reply>,
): Promise<Reply> {
  if (key === null) return write(undefined);
  const { scope, requestHash } = scopeOf({ caller, key, route, body });
  return throughGate(() =>
    withTransaction(async (client) => {
      const stored = await storedReply(client, scope, key, requestHash);
      if (stored) return stored;

      // A refusal by the change is kept too; its partial work (an aborted statement) is undone.
      await client.query("SAVEPOINT write");
      const mark = commitHookCount(client);
      let reply: Reply;
      try {
        reply = await write(client);
      } catch (error) {
        const refusal = refusalReply(error);
        await client.query("ROLLBACK TO SAVEPOINT write");
        forgetCommitHooks(client, mark);
        reply = refusal;
      }
      await sqlQuery(
        Prisma.sql`INSERT INTO "IdempotencyKey" (scope, key, "requestHash", status, body, "expiresAt")
                   VALUES (${scope}, ${key}, ${requestHash}, ${reply.status}::int, ${JSON.stringify(withoutRequestId(reply.body))},
                           now() + make_interval(hours => ${KEEP_HOURS}::int))`,
        client,
      );
      return reply;
    }),
  );
}

/**
 * A keyed request whose work waits on the network (a webhook test event): unlike idempotentWrite
 * it holds no transaction, lock or write slot while `call` runs, so a slow endpoint cannot hold
 * up the writes. The key is claimed first (a record marked in progress, committed at once): a
 * retry meanwhile gets 409 IDEMPOTENCY_IN_PROGRESS and sends nothing. `record` then stores what
 * `call` did in the transaction that turns the claim into the kept reply. A claim whose request
 * died with its instance lapses after `claimMs`, and the key can be used again.
 */
export async function idempotentCall<Result>(
  keyed: Keyed,
  claimMs: number,
  call: () => Promise<Result>,
  record: (result: Result, via: pg.PoolClient | undefined) => Promise<Reply>,
): Promise<Reply> {
  const { key } = keyed;
  if (key === null) return record(await call(), undefined);
  const { scope, requestHash } = scopeOf({ ...keyed, key });
  const claim = randomUUID();
  const stored = await throughGate(() =>
    withTransaction(async (client) => {
      const reply = await storedReply(client, scope, key, requestHash);
      if (reply) return reply;
      await sqlQuery(
        Prisma.sql`INSERT INTO "IdempotencyKey" (scope, key, "requestHash", status, body, "expiresAt")
                   VALUES (${scope}, ${key}, ${requestHash}, ${IN_PROGRESS}::int, ${claim},
                           now() + make_interval(secs => ${claimMs / 1000}::float8))`,
        client,
      );
      return null;
    }),
  );
  if (stored) return stored;

  let result: { done: Result } | { refused: Reply };
  try {
    result = { done: await call() };
  } catch (error) {
    try {
      result = { refused: refusalReply(error) };
    } catch (unexpected) {
      // Not an answer to keep: free the key for a retry (if the database is there to say so).
      await sqlQuery(
        Prisma.sql`DELETE FROM "IdempotencyKey" WHERE scope = ${scope} AND key = ${key} AND body = ${claim}`,
      ).catch(() => undefined);
      throw unexpected;
    }
  }
  return throughGate(() =>
    withTransaction(async (client) => {
      let reply: Reply;
      if ("refused" in result) reply = result.refused;
      else {
        await client.query("SAVEPOINT record");
        const mark = commitHookCount(client);
        try {
          reply = await record(result.done, client);
        } catch (error) {
          const refusal = refusalReply(error);
          await client.query("ROLLBACK TO SAVEPOINT record");
          forgetCommitHooks(client, mark);
          reply = refusal;
        }
      }
      await sqlQuery(
        Prisma.sql`UPDATE "IdempotencyKey"
                   SET status = ${reply.status}::int, body = ${JSON.stringify(withoutRequestId(reply.body))},
                       "expiresAt" = now() + make_interval(hours => ${KEEP_HOURS}::int)
                   WHERE scope = ${scope} AND key = ${key} AND body = ${claim}`,
        client,
      );
      return reply;
    }),
  );
}
