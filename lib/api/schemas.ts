// Response shapes of the routes outside lib/products (errors, health, the session), as zod
// schemas: the handlers' types come from them and lib/api/openapi.ts publishes them.
import { z } from "zod";

export const errorBodySchema = z
  .strictObject({
    error: z
      .looseObject({
        code: z.string().meta({ description: "machine-readable, e.g. VERSION_CONFLICT (docs/api.md lists them)" }),
        message: z.string().meta({ description: "for people; may change" }),
        requestId: z.string().meta({
          description: "this request's id, also in the X-Request-Id response header and on the server's log lines",
        }),
        issues: z
          .array(z.strictObject({ path: z.string(), message: z.string() }))
          .optional()
          .meta({ description: "VALIDATION_FAILED: each problem, with the field's path (e.g. items.3.delta)" }),
        current: z
          .unknown()
          .optional()
          .meta({ description: "409 on a product: the product as it is now (a ProductDto)" }),
        index: z.int().min(0).optional().meta({ description: "bulk and stocktake errors: the failing item" }),
        retryAfterSeconds: z.int().min(1).optional().meta({ description: "429: also sent as Retry-After" }),
      })
      .meta({ description: "Further fields may be added; clients should ignore ones they do not know" }),
  })
  .meta({ description: "Every error, whatever the status" });

const readinessChecks = {
  database: z.enum(["ok", "unreachable"]),
  listener: z.string().meta({ description: "the feed's LISTEN connection: listening, connecting, ..." }),
  draining: z.boolean().meta({ description: "true after SIGTERM" }),
};

export const liveSchema = z.strictObject({ status: z.literal("ok") });

export const readySchema = z.strictObject({ status: z.enum(["ready", "not ready"]), ...readinessChecks });

export const healthSchema = z.strictObject({
  status: z.enum(["ok", "degraded"]),
  ...readinessChecks,
  openStreams: z.int().min(0).meta({ description: "feed streams open on this instance" }),
  feedTransport: z.enum(["node:http", "route handler"]).meta({ description: "what serves the feed here" }),
  node: z.string().meta({ description: "the Node.js version" }),
});

const sessionUserSchema = z.strictObject({ email: z.string(), role: z.enum(["admin", "viewer"]) });

export const sessionSchema = z.strictObject({ user: sessionUserSchema });

export const signedInSchema = z.strictObject({
  user: sessionUserSchema,
  expiresAt: z.iso.datetime().meta({ description: "when the session ends (SESSION_TTL_HOURS)" }),
});

export type ErrorBody = z.infer<typeof errorBodySchema>;
export type Health = z.infer<typeof healthSchema>;
export type SessionInfo = z.infer<typeof sessionSchema>;
