// Abuse limits of one server instance: requests per minute per API token (or, without a valid
// token, per client address), and open streams (feed streams and CSV exports) per client address
// and in all. Past a client's own limit, 429 with Retry-After; past the instance's (derived from
// its open-file limit, lib/http/stream-capacity.ts), 503 with Retry-After; the same from both
// transports. The defaults (lib/env.ts) sit far above what a shop's staff, dashboards and
// services send; the benchmarks raise them (README, "Who may do what").
//
// Request rates use rate-limiter-flexible's in-memory limiter (fixed one-minute windows per key).
// It measured ~0.3 µs per request here, against ~1 ms for the cheapest write, so it stays on the
// write path. Open streams are a count, not a rate: a Map of counters.
import { RateLimiterMemory, type RateLimiterRes } from "rate-limiter-flexible";
import { apiTokenName, readTokenName } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { ApiError } from "@/lib/errors";
import { clientAddress } from "@/lib/http/client-address";
import { openFileLimit, streamCapacity, type StreamCapacity } from "@/lib/http/stream-capacity";

type Limits = {
  perToken: RateLimiterMemory;
  perAddress: RateLimiterMemory;
  /** Open streams per client address. */
  streams: Map<string, number>;
  /** Open streams in all, against `capacity`. */
  open: number;
  capacity: StreamCapacity;
};

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
    open: 0,
    capacity: streamCapacity(openFileLimit(), config.MAX_OPEN_STREAMS),
  };
  return globalForLimits.stockpulseLimits;
}

/** The instance's stream limit and where it comes from (logged at start, /api/metrics). */
export const streamLimit = (): StreamCapacity => limits().capacity;

/** Streams and exports holding a slot on this instance now. */
export const openStreamSlots = (): number => limits().open;

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
 * Takes one of the instance's stream slots (503 STREAM_LIMIT_REACHED when none is left) and one of
 * `address`'s (429 TOO_MANY_STREAMS) for a feed stream or a CSV export; the returned function
 * gives both back, once, when the response ends.
 */
export function admitStream(address: string): () => void {
  const state = limits();
  const { streams, capacity } = state;
  if (state.open >= capacity.maxStreams) {
    throw new ApiError(
      503,
      "STREAM_LIMIT_REACHED",
      `This server has ${capacity.maxStreams} streams and exports open, the most it holds (MAX_OPEN_STREAMS); try again in ${STREAM_RETRY_SECONDS} s`,
      { retryAfterSeconds: STREAM_RETRY_SECONDS, maxOpenStreams: capacity.maxStreams },
      { "retry-after": String(STREAM_RETRY_SECONDS) },
    );
  }
  const max = env().FEED_MAX_STREAMS_PER_ADDRESS;
  const open = streams.get(address) ?? 0;
  if (open >= max) {
    throw tooMany(
      "TOO_MANY_STREAMS",
      `This address has ${max} feed streams and exports open, the most allowed (FEED_MAX_STREAMS_PER_ADDRESS); close one or try again later`,
      STREAM_RETRY_SECONDS,
    );
  }
  streams.set(address, open + 1);
  state.open++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    state.open--;
    const left = (streams.get(address) ?? 1) - 1;
    if (left > 0) streams.set(address, left);
    else streams.delete(address);
  };
}
