// Abuse limits of one server instance: requests per minute per API token (or, without a valid
// token, per client address), and open feed streams per client address. Past either, 429 with
// Retry-After, the same from both transports. The defaults (lib/env.ts) sit far above what a
// shop's staff, dashboards and services send; the benchmarks raise them (README, "Who may do what").
//
// Request rates use rate-limiter-flexible's in-memory limiter (fixed one-minute windows per key).
// It measured ~0.3 µs per request here, against ~1 ms for the cheapest write, so it stays on the
// write path. Open streams are a count, not a rate: a Map of counters.
import { RateLimiterMemory, type RateLimiterRes } from "rate-limiter-flexible";
import { apiTokenName, readTokenName } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { ApiError } from "@/lib/errors";
import { clientAddress } from "@/lib/http/client-address";

type Limits = { perToken: RateLimiterMemory; perAddress: RateLimiterMemory; streams: Map<string, number> };

// On globalThis: the production server loads this module twice (Next's bundle and its own copy
// for the node:http transports), and both must count against the same limits.
const globalForLimits = globalThis as unknown as { stockpulseLimits?: Limits };

function limits(): Limits {
  if (globalForLimits.stockpulseLimits) return globalForLimits.stockpulseLimits;
  const config = env();
  globalForLimits.stockpulseLimits = {
    perToken: new RateLimiterMemory({ points: config.RATE_LIMIT_PER_TOKEN_PER_MINUTE, duration: 60 }),
    perAddress: new RateLimiterMemory({ points: config.RATE_LIMIT_PER_ADDRESS_PER_MINUTE, duration: 60 }),
    streams: new Map(),
  };
  return globalForLimits.stockpulseLimits;
}

/** Seconds a client refused by the stream limit should wait: streams end at no set time. */
const STREAM_RETRY_SECONDS = 10;

const tooMany = (code: string, message: string, retryAfterSeconds: number) =>
  new ApiError(429, code, message, { retryAfterSeconds }, { "retry-after": String(retryAfterSeconds) });

export type RequestHeaders = { get(name: string): string | null };

/**
 * Counts one request against its token's limit (a valid bearer token) or its address's (anything
 * else); throws 429 RATE_LIMITED past it. `peer` is the socket address where the caller has one.
 */
export async function admitRequest(headers: RequestHeaders, peer: string | null = null): Promise<void> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.get("authorization") ?? "");
  const adminToken = bearer ? apiTokenName(bearer[1]) : null;
  const readToken = bearer && !adminToken ? readTokenName(bearer[1]) : null;
  const token = adminToken ?? (readToken && `read:${readToken}`);
  const { perToken, perAddress } = limits();
  const [limiter, key, who] = token
    ? [perToken, token, `API token ${token}`]
    : [perAddress, clientAddress(headers.get("x-forwarded-for"), peer), "this address"];
  try {
    await limiter.consume(key);
  } catch (refused) {
    // Refusals are RateLimiterRes objects, not errors; not `instanceof`: the limiter may come
    // from the other copy of this module (see globalForLimits).
    if (refused instanceof Error) throw refused;
    const seconds = Math.max(1, Math.ceil((refused as RateLimiterRes).msBeforeNext / 1000));
    throw tooMany(
      "RATE_LIMITED",
      `Too many requests from ${who} (at most ${limiter.points} a minute); try again in ${seconds} s`,
      seconds,
    );
  }
}

/**
 * Takes one of `address`'s open-stream slots (429 TOO_MANY_STREAMS when none is left); the
 * returned function gives it back, once, when the stream ends.
 */
export function admitStream(address: string): () => void {
  const { streams } = limits();
  const max = env().FEED_MAX_STREAMS_PER_ADDRESS;
  const open = streams.get(address) ?? 0;
  if (open >= max) {
    throw tooMany(
      "TOO_MANY_STREAMS",
      `This address has ${max} feed streams open, the most allowed; close one or try again later`,
      STREAM_RETRY_SECONDS,
    );
  }
  streams.set(address, open + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (streams.get(address) ?? 1) - 1;
    if (left > 0) streams.set(address, left);
    else streams.delete(address);
  };
}
