// Where a webhook may be delivered (server-side request forgery): only http(s) URLs whose host
// resolves to global unicast addresses (an allow rule, isAllowedAddress), checked when a subscription is saved and again before
// every request, since DNS can change. The request then connects to the address that was
// checked (see send.ts), so a second lookup cannot swap in another one.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
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

// The one IPv6 block of global unicast addresses (RFC 4291, IANA): anything outside it (IPv4-
// compatible ::a.b.c.d, loopback, unspecified, ULA, link-local, site-local, multicast, discard,
// NAT64's local-use prefix...) is refused however ipaddr.js names it.
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");
// IPv6 forms that carry an IPv4 address the packet really goes to: judged as that address.
const NAT64_WELL_KNOWN = ipaddr.parseCIDR("64:ff9b::/96");

/**
 * An address as the socket will use it, or null. Not ipaddr.parse alone: it reads the IPv4-
 * compatible "::127.0.0.1" as the IPv4-mapped ::ffff:127.0.0.1 (and accepts "0x7f.1" forms), so
 * IPv6 goes through WHATWG URL's parser first, which writes it in plain hex (::7f00:1).
 */
function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (isIP(text) === 4) return ipaddr.IPv4.parse(text);
  if (isIP(text) !== 6) return null;
  let hex: string;
  try {
    hex = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return null; // a zone id (fe80::1%eth0) and other forms a URL cannot hold
  }
  return ipaddr.IPv6.parse(hex);
}

/** The IPv4 address an IPv6 address stands for (IPv4-mapped, NAT64's well-known prefix), if any. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  if (address.isIPv4MappedAddress()) return address.toIPv4Address();
  if (address.match(NAT64_WELL_KNOWN)) return ipaddr.fromByteArray(address.toByteArray().slice(12)) as ipaddr.IPv4;
  return null;
}

/**
 * Whether a request may go to `address`: only global unicast, by an allow rule. IPv4: outside
 * every special-purpose range of IANA's registry (ipaddr.js names them all: "unicast" is what is
 * left; tests/webhooks.test.ts holds the registry's list so a gap shows). IPv6: inside 2000::/3
 * and in none of the special blocks there (Teredo, 6to4, documentation, benchmarking, ORCHID,
 * AMT, AS112, 2001::/23); an IPv4-mapped or NAT64 address as its IPv4 address.
 * `allowPrivate` (WEBHOOK_ALLOW_PRIVATE_ADDRESSES) adds loopback, RFC 1918 and ULA, nothing else:
 * never link-local (cloud metadata at 169.254.169.254), unspecified, multicast or broadcast.
 */
export function isAllowedAddress(text: string, allowPrivate = false): boolean {
  const address = parseAddress(text);
  if (address === null) return false;
  if (address.kind() === "ipv4") {
    const range = address.range();
    return range === "unicast" || (allowPrivate && (range === "loopback" || range === "private"));
  }
  const v6 = address as ipaddr.IPv6;
  const v4 = embeddedIPv4(v6);
  if (v4) return isAllowedAddress(v4.toString(), allowPrivate);
  const range = v6.range();
  if (allowPrivate && (range === "loopback" || range === "uniqueLocal")) return true;
  return v6.match(GLOBAL_UNICAST_V6) && range === "unicast";
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

/**
 * Resolves the URL's host and checks every address; the first one is the one to connect to.
 * With `timeoutMs`, a lookup that takes longer is given up (a delivery's lease counts on it).
 */
export async function resolveTarget(text: string, timeoutMs?: number): Promise<DeliveryTarget> {
  const url = parseWebhookUrl(text);
  // WHATWG URL has already normalised IPv4 spellings (0x7f.1, 2130706433) to dotted quads.
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
  } else {
    let timer: NodeJS.Timeout | undefined;
    try {
      const lookedUp = lookup(host, { all: true, verbatim: true });
      addresses = await (timeoutMs === undefined
        ? lookedUp
        : Promise.race([
            lookedUp,
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject({ code: `timed out after ${timeoutMs} ms` }), timeoutMs);
            }),
          ]));
    } catch (error) {
      const code = (error as { code?: string }).code ?? "failed";
      throw new TargetRefused("UNRESOLVABLE_HOST", `url's host ${host} cannot be resolved (${code})`);
    } finally {
      clearTimeout(timer);
    }
    if (addresses.length === 0) throw new TargetRefused("UNRESOLVABLE_HOST", `url's host ${host} has no address`);
  }
  const allowPrivate = env().WEBHOOK_ALLOW_PRIVATE_ADDRESSES;
  const refused = addresses.find(({ address }) => !isAllowedAddress(address, allowPrivate));
  if (refused) {
    const via = refused.address === host ? "" : ` (${host} resolves to it)`;
    throw new TargetRefused(
      "PRIVATE_ADDRESS",
      `url points to ${refused.address}${via}, a loopback, private, link-local or otherwise non-public address`,
    );
  }
  const [{ address, family }] = addresses;
  return { url, address, family: family === 6 ? 6 : 4 };
}
