// Where a webhook may be delivered (server-side request forgery): only http(s) URLs whose host
// resolves to public unicast addresses, checked when a subscription is saved and again before
// every request, since DNS can change. The request then connects to the address that was
// checked (see send.ts), so a second lookup cannot swap in another one.
import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { env } from "@/lib/env";

/** A URL and the address its request will connect to. */
export type DeliveryTarget = { url: URL; address: string; family: 4 | 6 };

export class TargetRefused extends Error {
  constructor(
    readonly code: "INVALID_URL" | "PRIVATE_ADDRESS" | "UNRESOLVABLE_HOST",
    message: string,
  ) {
    super(message);
  }
}

/**
 * ipaddr.js names every special-purpose range (loopback, private, linkLocal, uniqueLocal,
 * carrierGradeNat, multicast, unspecified, broadcast, reserved, NAT64 and tunnel prefixes...);
 * only plain unicast is a public host. An IPv4-mapped IPv6 address is judged as its IPv4 one.
 */
export function isPublicAddress(address: string): boolean {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === "unicast";
}

/** Parses a subscription URL: http or https, a host, no credentials. */
export function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TargetRefused("INVALID_URL", "url must be an absolute http:// or https:// URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TargetRefused("INVALID_URL", `url must use http or https, not ${url.protocol.replace(/:$/, "")}`);
  }
  if (url.username || url.password) {
    throw new TargetRefused("INVALID_URL", "url must not contain a user name or password");
  }
  if (!url.hostname) throw new TargetRefused("INVALID_URL", "url must name a host");
  return url;
}

/** Resolves the URL's host and checks every address; the first one is the one to connect to. */
export async function resolveTarget(text: string): Promise<DeliveryTarget> {
  const url = parseWebhookUrl(text);
  // WHATWG URL has already normalised IPv4 spellings (0x7f.1, 2130706433) to dotted quads.
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  let addresses: Array<{ address: string; family: number }>;
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: host.includes(":") ? 6 : 4 }];
  } else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch (error) {
      const code = (error as { code?: string }).code ?? "failed";
      throw new TargetRefused("UNRESOLVABLE_HOST", `url's host ${host} cannot be resolved (${code})`);
    }
    if (addresses.length === 0) throw new TargetRefused("UNRESOLVABLE_HOST", `url's host ${host} has no address`);
  }
  if (!env().WEBHOOK_ALLOW_PRIVATE_ADDRESSES) {
    const refused = addresses.find(({ address }) => !isPublicAddress(address));
    if (refused) {
      const via = refused.address === host ? "" : ` (${host} resolves to it)`;
      throw new TargetRefused(
        "PRIVATE_ADDRESS",
        `url points to ${refused.address}${via}, a loopback, private, link-local or otherwise non-public address`,
      );
    }
  }
  const [{ address, family }] = addresses;
  return { url, address, family: family === 6 ? 6 : 4 };
}
