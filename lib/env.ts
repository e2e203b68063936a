// Server configuration, parsed once with zod. A missing or malformed variable stops the server
// at start-up (instrumentation.ts) with a message that names it.
import { z } from "zod";

const WEAK_TOKENS = new Set(["changeme", "change-me", "secret", "admin", "password", "token", "test", "dev"]);

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z
      .string({ error: "DATABASE_URL is required (npm start sets it for the embedded database)" })
      .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgresql:// URL"),
    ADMIN_API_TOKEN: z
      .string({ error: "ADMIN_API_TOKEN is required: the bearer token for admin API calls" })
      .min(24, "ADMIN_API_TOKEN must be at least 24 characters (e.g. `openssl rand -base64 32`)")
      .refine((token) => !WEAK_TOKENS.has(token.toLowerCase()), "ADMIN_API_TOKEN is a well-known default"),
    SSE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
    SSE_RETRY_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
    SSE_MAX_BUFFER_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(256 * 1024),
    EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  })
  .loose();

export type Env = z.infer<typeof schema>;

let parsed: Env | undefined;

/** The validated environment; throws an Error listing every problem on first use. */
export function env(): Env {
  if (parsed) return parsed;
  const result = schema.safeParse(process.env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  - ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`StockPulse cannot start, the environment is invalid:\n${problems.join("\n")}`);
  }
  parsed = result.data;
  return parsed;
}
