// Webhook signatures in the Standard Webhooks form (the spec svix and others publish):
//   webhook-id: <message id>   webhook-timestamp: <unix seconds>
//   webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">
// keyed with the secret's bytes (the secret is "whsec_" + base64). node:crypto, not the
// `standardwebhooks` package: signing is three lines, and the tests verify our requests with
// that package (a second, independent implementation).
import { createHmac, randomBytes } from "node:crypto";

const PREFIX = "whsec_";

/** A new subscription secret: 32 random bytes, in the Standard Webhooks "whsec_" form. */
export function newWebhookSecret(): string {
  return PREFIX + randomBytes(32).toString("base64");
}

export function signatureHeaders(secret: string, id: string, body: string, at = new Date()) {
  const timestamp = Math.floor(at.getTime() / 1000).toString();
  const key = Buffer.from(secret.slice(PREFIX.length), "base64");
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  return { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": `v1,${signature}` };
}
