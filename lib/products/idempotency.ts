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
import { createHash } from "node:crypto";
import type pg from "pg";
import type { Caller, HeaderSource } from "@/lib/auth/guards";
import { sqlQuery, withTransaction } from "@/lib/db";
import { ApiError, errorReply } from "@/lib/errors";
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
  const scope = `${caller.credential} ${route}`;
  const requestHash = createHash("sha256").update(JSON.stringify(body)).digest("hex");
  return throughGate(() =>
    withTransaction(async (client) => {
      const [{ locked }] = await sqlQuery<{ locked: boolean }>(
        Prisma.sql`SELECT pg_try_advisory_xact_lock(hashtextextended(${scope} || ' ' || ${key}, 0)) AS locked`,
        client,
      );
      if (!locked) {
        throw new ApiError(
          409,
          "IDEMPOTENCY_IN_PROGRESS",
          "A request with this Idempotency-Key is still being processed; retry shortly for its answer",
          undefined,
          { "retry-after": "1" },
        );
      }
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
        return { status: stored.status, body: JSON.parse(stored.body), headers: { [REPLAYED_HEADER]: "true" } };
      }
      // This key's expired record, if any, and a few others: nothing else prunes them.
      await sqlQuery(
        Prisma.sql`DELETE FROM "IdempotencyKey" WHERE (scope = ${scope} AND key = ${key})
                   OR ctid = ANY(ARRAY(SELECT ctid FROM "IdempotencyKey" WHERE "expiresAt" <= now()
                                       LIMIT ${PRUNE_BATCH} FOR UPDATE SKIP LOCKED))`,
        client,
      );

      // A refusal by the change is kept too; its partial work (an aborted statement) is undone.
      await client.query("SAVEPOINT write");
      let reply: Reply;
      try {
        reply = await write(client);
      } catch (error) {
        if (!(error instanceof ApiError) || error.status >= 500) throw error;
        await client.query("ROLLBACK TO SAVEPOINT write");
        const { status, body: errorBody } = errorReply(error);
        reply = { status, body: errorBody };
      }
      await sqlQuery(
        Prisma.sql`INSERT INTO "IdempotencyKey" (scope, key, "requestHash", status, body, "expiresAt")
                   VALUES (${scope}, ${key}, ${requestHash}, ${reply.status}::int, ${JSON.stringify(reply.body)},
                           now() + make_interval(hours => ${KEEP_HOURS}::int))`,
        client,
      );
      return reply;
    }),
  );
}
