// @ts-check
// Security headers, in one place: next.config.js applies them to every response Next serves, and
// the feed's node:http transport (lib/events/transport-node.ts) sends the same ones itself.

/** On every response. */
export const COMMON_SECURITY_HEADERS = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

/** On /api/*: JSON and SSE need nothing to run. Pages get a nonce-based policy from proxy.ts. */
export const API_SECURITY_HEADERS = [
  { key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" },
];
