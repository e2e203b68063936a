// Which address a request comes from, for the per-address limits (sign-in throttling, feed
// streams, request rates). As Express's `trust proxy` with a hop count: the chain is
// X-Forwarded-For's entries followed by the connecting peer; the last TRUSTED_PROXY_COUNT of
// them are our own proxies, and the entry just before them is the client. Anything further left
// was written by the client itself and is ignored, so a new header value changes nothing.
import { env } from "@/lib/env";

const IPV4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/**
 * The client's address. `peer` is the socket's remote address where the caller has the socket
 * (node:http); under Next the peer is already X-Forwarded-For's last entry: `npm start`'s server
 * appends it (scripts/server.ts) and Next adds it when the header is absent.
 */
export function clientAddress(
  forwardedFor: string | null,
  peer: string | null = null,
  trustedProxies: number = env().TRUSTED_PROXY_COUNT,
): string {
  const chain = (forwardedFor ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (peer) chain.push(peer);
  if (chain.length === 0) return "unknown";
  const address = chain[Math.max(0, chain.length - 1 - trustedProxies)];
  return (IPV4_MAPPED.exec(address)?.[1] ?? address).slice(0, 64);
}
