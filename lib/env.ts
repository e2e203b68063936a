// Server configuration, parsed once with zod. A missing or malformed variable stops the server
// at start-up (instrumentation.ts) with a message that names it.
import { z } from "zod";

const WEAK_SECRETS = new Set([
  "changeme",
  "change-me",
  "secret",
  "admin",
  "password",
  "token",
  "test",
  "dev",
  "password123",
  "password1234",
  "administrator",
  "changemeplease",
  "letmein12345",
  "qwertyuiop12",
  "123456789012",
  "admin1234567",
  "adminadminadmin",
]);

const apiToken = (name: string) =>
  z
    .string()
    .min(24, `${name} must be at least 24 characters (e.g. \`openssl rand -base64 32\`)`)
    .refine((token) => !WEAK_SECRETS.has(token.toLowerCase()), `${name} is a well-known default`);

/** `name:token,name:token`: several API clients, each with its own token and name in the audit trail. */
const namedTokens = (variable: string) =>
  z
    .string()
    .transform((list) => list.split(",").map((entry) => entry.trim()))
    .pipe(
      z.array(
        z
          .string()
          .regex(/^[A-Za-z0-9][\w.-]{0,39}:/, `${variable} entries must be name:token (name: letters, digits, . _ -)`)
          .transform((entry) => {
            const colon = entry.indexOf(":");
            return { name: entry.slice(0, colon), token: entry.slice(colon + 1) };
          })
          .pipe(z.object({ name: z.string(), token: apiToken(`each token in ${variable}`) })),
      ),
    )
    .refine((tokens) => new Set(tokens.map((t) => t.name)).size === tokens.length, `${variable} names must differ`);

/** An on/off switch: `1` turns it on; unset (or `0`) leaves it off. */
const flag = (name: string) =>
  z
    .enum(["0", "1"], `${name} must be 1 (on) or 0 (off)`)
    .optional()
    .transform((value) => value === "1");

/** pino's levels, most to least severe; `silent` logs nothing. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const passwordSchema = z
  .string()
  .min(12, "must be at least 12 characters")
  .max(200, "must be at most 200 characters")
  .refine((password) => !WEAK_SECRETS.has(password.toLowerCase()), "is a well-known default");

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z
      .string({ error: "DATABASE_URL is required (npm start sets it for the embedded database)" })
      .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgresql:// URL"),
    ADMIN_API_TOKEN: apiToken("ADMIN_API_TOKEN").optional(),
    ADMIN_API_TOKENS: namedTokens("ADMIN_API_TOKENS").optional(),
    // Who may read (lib/auth/guards.ts): public (anyone may read stock and prices) or staff (a
    // signed-in user or a token, for the dashboard and the feed too). Read tokens cannot write.
    READ_ACCESS: z.enum(["public", "staff"], "READ_ACCESS must be public or staff").default("public"),
    READ_API_TOKENS: namedTokens("READ_API_TOKENS").optional(),
    // The dashboard's total stock value (stock x price over every product) is business
    // information: only staff see it unless the shop opts in (app/page.tsx).
    PUBLIC_STOCK_VALUE: z
      .enum(["0", "1", "true", "false"], "PUBLIC_STOCK_VALUE must be true or false")
      .optional()
      .transform((value) => value === "1" || value === "true"),
    // Unset: /api/metrics answers 404. Set: it needs `Authorization: Bearer <METRICS_TOKEN>`.
    METRICS_TOKEN: apiToken("METRICS_TOKEN").optional(),
    ADMIN_EMAIL: z.email("ADMIN_EMAIL must be an email address").toLowerCase().optional(),
    ADMIN_PASSWORD: passwordSchema.optional(),
    DISPLAY_LOCALE: z
      .string()
      .refine((locale) => {
        try {
          return Intl.getCanonicalLocales(locale).length === 1;
        } catch {
          return false;
        }
      }, "DISPLAY_LOCALE must be a BCP 47 locale such as en-GB or de-DE")
      .default("en-GB"),
    // The zone every displayed time is in, and in which the history's date filters count days.
    // Canonical (the zone's own spelling, "utc" -> "UTC") so server and browser agree.
    DISPLAY_TIME_ZONE: z
      .string()
      .transform((zone, context) => {
        try {
          return new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;
        } catch {
          context.addIssue({
            code: "custom",
            message: "DISPLAY_TIME_ZONE must be an IANA time zone such as UTC, Europe/Berlin or America/New_York",
          });
          return z.NEVER;
        }
      })
      .default("UTC"),
    DISPLAY_CURRENCY: z
      .string()
      .refine(
        (code) => Intl.supportedValuesOf("currency").includes(code),
        "DISPLAY_CURRENCY must be an ISO 4217 code such as EUR",
      )
      .default("EUR"),
    SESSION_TTL_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(12),
    SSE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
    SSE_RETRY_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
    SSE_MAX_BUFFER_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(256 * 1024),
    // Unset: the audit trail is kept forever. Set: events older than this many days are deleted
    // (never one a webhook has not acknowledged). How far back a client may resume is
    // FEED_REPLAY_MAX_EVENTS, not this.
    EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).optional(),
    // A resuming feed client more than this many events behind gets `event: reset` (reload the
    // snapshot) instead of a replay: at ~450 bytes an event, 10,000 is ~4.5 MB, about what the
    // snapshot of a 5,000-product shop costs; past it the snapshot is the cheaper way back.
    FEED_REPLAY_MAX_EVENTS: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
    // Catching up from the database (lib/events/replay-budget.ts): at most this many pages of
    // the event log read and encoded at once on this instance, and per client address; the rest
    // wait their turn. At most 8 in all: with the writes' 8 that leaves 4 of the pool's 20
    // connections to every other read (lib/db.ts).
    FEED_REPLAY_CONCURRENCY: z.coerce.number().int().min(1).max(8).default(2),
    FEED_REPLAY_CONCURRENCY_PER_ADDRESS: z.coerce.number().int().min(1).max(8).default(1),
    // How many proxies of ours stand in front and append to X-Forwarded-For (0: none, the
    // connecting address is the client's). lib/http/client-address.ts.
    TRUSTED_PROXY_COUNT: z.coerce.number().int().min(0).max(10).default(0),
    // The origin browsers use (https://stock.example.com). When set, cookie-authenticated writes
    // must carry exactly this Origin, scheme and port included.
    PUBLIC_ORIGIN: z
      .url("PUBLIC_ORIGIN must be an origin such as https://stock.example.com")
      .refine((url) => new URL(url).origin === url.replace(/\/$/, ""), "PUBLIC_ORIGIN must be an origin only, no path")
      .transform((url) => new URL(url).origin)
      .optional(),
    // Abuse limits (lib/http/request-limits.ts): open feed streams per client address, and
    // requests per minute per API token and per client address (other requests).
    FEED_MAX_STREAMS_PER_ADDRESS: z.coerce.number().int().min(1).default(500),
    // Feed streams and CSV exports open at once on this instance (lib/http/stream-capacity.ts):
    // unset, the open-file limit less room for the database, writes and health; past it 503.
    MAX_OPEN_STREAMS: z.coerce
      .number("MAX_OPEN_STREAMS must be a whole number of streams")
      .int("MAX_OPEN_STREAMS must be a whole number of streams")
      .min(1, "MAX_OPEN_STREAMS must be at least 1")
      .optional(),
    // A CSV export whose client takes nothing for this long is cut (its slot and memory freed).
    EXPORT_STALL_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
    RATE_LIMIT_PER_TOKEN_PER_MINUTE: z.coerce.number().int().min(1).default(6_000),
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().min(1).default(3_000),
    PORT: z.coerce.number().int().min(1).max(65_535, "PORT must be a TCP port (1-65535)").default(3000),
    SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(600_000).default(0),
    // The least severe lines the server writes (lib/log.ts reads it itself, before env() can run).
    LOG_LEVEL: z.enum(LOG_LEVELS, `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`).default("info"),
    SEED_DEMO_DATA: flag("SEED_DEMO_DATA"),
    // Where `npm start` keeps the embedded database and generated demo secrets (scripts/start.ts).
    STOCKPULSE_DATA_DIR: z.string().min(1).default(".data"),
    STOCKPULSE_INSECURE_COOKIES: flag("STOCKPULSE_INSECURE_COOKIES"),
    // Webhooks (lib/webhooks): delivery only to global unicast addresses (server-side request
    // forgery); this adds loopback, RFC 1918 and IPv6 ULA, as the tests need for their local
    // receiver, and nothing else (lib/webhooks/target.ts).
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES: z
      .enum(["0", "1", "true", "false"], "WEBHOOK_ALLOW_PRIVATE_ADDRESSES must be true or false")
      .optional()
      .transform((value) => value === "1" || value === "true"),
    // A subscription whose deliveries have failed for this long is paused (never deleted).
    WEBHOOK_PAUSE_AFTER_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(24 * 60 * 60),
    // One delivery request: connect, send and the response's status, all within this.
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    // At most this many events in one delivery request.
    WEBHOOK_MAX_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .loose()
  .superRefine((config, context) => {
    if (config.NODE_ENV === "production" && (!config.ADMIN_EMAIL || !config.ADMIN_PASSWORD)) {
      context.addIssue({
        code: "custom",
        path: ["ADMIN_EMAIL"],
        message: "ADMIN_EMAIL and ADMIN_PASSWORD are required in production: they create the first admin",
      });
    }
  });

export type Env = z.infer<typeof schema>;

/** Every variable that configures StockPulse: the README's table and .env.example list exactly these. */
export const CONFIGURATION_VARIABLES = Object.keys(schema.shape).filter((name) => name !== "NODE_ENV");

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

/** The read-only tokens (READ_API_TOKENS): they read what staff may read, and cannot write. */
export function readApiTokens(): Array<{ name: string; token: string }> {
  return env().READ_API_TOKENS ?? [];
}

/** Every admin API token the server accepts, with the name that goes into the audit trail. */
export function apiTokens(): Array<{ name: string; token: string }> {
  const { ADMIN_API_TOKEN, ADMIN_API_TOKENS = [] } = env();
  return ADMIN_API_TOKEN ? [{ name: "default", token: ADMIN_API_TOKEN }, ...ADMIN_API_TOKENS] : ADMIN_API_TOKENS;
}
