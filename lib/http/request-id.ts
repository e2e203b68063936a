// One id per request, in the X-Request-Id response header, in every error body (error.requestId)
// and on every log line written while serving it, so a client's report, a proxy's access log and
// our lines meet. A proxy of ours may have given the request its id already: its X-Request-Id is
// kept when TRUSTED_PROXY_COUNT says proxies of ours stand in front, as X-Forwarded-For is
// trusted (lib/http/client-address.ts). Anyone else's is replaced: a client must not choose the
// id our lines carry, and a well-formed id is all that may reach a header or a log line.
import { randomUUID } from "node:crypto";
import { env } from "@/lib/env";

export const REQUEST_ID_HEADER = "x-request-id";

// UUIDs, hex (nginx's $request_id), AWS's Root=1-...; at most 128 characters. No spaces, so two
// headers joined by node ("a, b") are not one id.
const WELL_FORMED = /^[A-Za-z0-9._:=+/@-]{1,128}$/;

/** The id to serve a request under: `sent` (its X-Request-Id) when trusted and well-formed, else a new UUID. */
export function requestIdFor(sent: string | null | undefined, trusted: boolean): string {
  return trusted && sent && WELL_FORMED.test(sent) ? sent : randomUUID();
}

/** Whether a request's own X-Request-Id came from a proxy of ours (TRUSTED_PROXY_COUNT > 0). */
export function proxyIdTrusted(trustedProxies: number = env().TRUSTED_PROXY_COUNT): boolean {
  return trustedProxies > 0;
}

/**
 * Under Next (proxy.ts): `npm start`'s server (scripts/server.ts) decided the id already and
 * handed it on in the header, as it hands on the peer in X-Forwarded-For; under plain
 * `next start` the rule above applies.
 */
export function requestIdUnderNext(sent: string | null): string {
  const behindOwnServer = process.env.STOCKPULSE_FEED_TRANSPORT === "node:http";
  return requestIdFor(sent, behindOwnServer || proxyIdTrusted());
}
