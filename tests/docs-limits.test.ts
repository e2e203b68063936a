// docs/api.md's table of limits says what the code enforces: every row's value is built here
// from the constant or default the code uses, so changing one without the other fails.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import {
  MAX_FAILURES_PER_ADDRESS,
  MAX_FAILURES_PER_DEVICE,
  MAX_FAILURES_PER_EMAIL,
  WINDOW_MS,
} from "../lib/auth/throttle";
import { env } from "../lib/env";
import { MAX_FILTER_PRODUCTS } from "../lib/events/feed-request";
import { MAX_BODY_BYTES } from "../lib/http/read-json";
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from "../lib/imports/csv";
import { MAX_BULK_BODY_BYTES, MAX_BULK_ITEMS, MAX_HISTORY_LIMIT } from "../lib/products/validation";

const count = (n: number) => n.toLocaleString("en");
const size = (bytes: number) => (bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`);

/** The "Limits" table of docs/api.md: limit name to its value cell. */
function documentedLimits(): Map<string, string> {
  const docs = fs.readFileSync(path.join(import.meta.dirname, "..", "docs", "api.md"), "utf8");
  const section = /\n## Limits\n([\s\S]*?)\n## /.exec(docs)?.[1];
  assert.ok(section, "docs/api.md has a Limits section");
  const rows = section
    .split("\n")
    .filter((line) => line.startsWith("|"))
    .slice(2)
    .map((line) => line.split("|").map((cell) => cell.trim()));
  return new Map(rows.map(([, name, value]) => [name, value]));
}

test("docs/api.md's limits table gives the code's limits and defaults", () => {
  // The defaults, as a server without these variables set has them.
  for (const name of [
    "RATE_LIMIT_PER_TOKEN_PER_MINUTE",
    "RATE_LIMIT_PER_ADDRESS_PER_MINUTE",
    "FEED_MAX_STREAMS_PER_ADDRESS",
    "EXPORT_STALL_TIMEOUT_MS",
    "FEED_REPLAY_MAX_EVENTS",
    "FEED_REPLAY_CONCURRENCY",
    "FEED_REPLAY_CONCURRENCY_PER_ADDRESS",
    "EVENT_RETENTION_DAYS",
  ])
    delete process.env[name];
  process.env.DATABASE_URL ??= "postgresql://localhost/docs-limits";
  const config = env();
  assert.equal(config.EVENT_RETENTION_DAYS, undefined);
  const expected = new Map([
    ["request body", `${size(MAX_BODY_BYTES)} (bulk routes: see their section)`],
    ["request body of a bulk route", size(MAX_BULK_BODY_BYTES)],
    [
      "requests per API token",
      `\`RATE_LIMIT_PER_TOKEN_PER_MINUTE\` (${count(config.RATE_LIMIT_PER_TOKEN_PER_MINUTE)}/min)`,
    ],
    [
      "other requests per client address",
      `\`RATE_LIMIT_PER_ADDRESS_PER_MINUTE\` (${count(config.RATE_LIMIT_PER_ADDRESS_PER_MINUTE)}/min)`,
    ],
    [
      "feed streams and exports per address",
      `\`FEED_MAX_STREAMS_PER_ADDRESS\` (${count(config.FEED_MAX_STREAMS_PER_ADDRESS)})`,
    ],
    // Derived from the process's open-file limit at start (lib/http/stream-capacity.ts).
    ["feed streams and exports per instance", "`MAX_OPEN_STREAMS` (open-file limit − reserve)"],
    [
      "an export whose client reads nothing",
      `\`EXPORT_STALL_TIMEOUT_MS\` (${config.EXPORT_STALL_TIMEOUT_MS / 1000} s)`,
    ],
    ["products in a feed filter", count(MAX_FILTER_PRODUCTS)],
    ["history entries per request", `${count(MAX_HISTORY_LIMIT)} (\`?limit=\`)`],
    ["items in a bulk request or stocktake", count(MAX_BULK_ITEMS)],
    ["rows in a CSV import", `${count(MAX_IMPORT_ROWS)} rows and ${size(MAX_IMPORT_BYTES)}`],
    [
      "failed sign-ins",
      `${MAX_FAILURES_PER_EMAIL} per email, ${MAX_FAILURES_PER_ADDRESS} per address, in ${WINDOW_MS / 60_000} minutes`,
    ],
    ["failed sign-ins from a known device", `${MAX_FAILURES_PER_DEVICE} per device, in ${WINDOW_MS / 60_000} minutes`],
    ["events a resuming client may be behind", `\`FEED_REPLAY_MAX_EVENTS\` (${count(config.FEED_REPLAY_MAX_EVENTS)})`],
    [
      "history pages read at once for resumes",
      `\`FEED_REPLAY_CONCURRENCY\` (${config.FEED_REPLAY_CONCURRENCY}), per address \`FEED_REPLAY_CONCURRENCY_PER_ADDRESS\` (${config.FEED_REPLAY_CONCURRENCY_PER_ADDRESS})`,
    ],
    ["history kept (audit, charts)", "`EVENT_RETENTION_DAYS` (unset: forever)"],
  ]);
  assert.deepEqual(Object.fromEntries(documentedLimits()), Object.fromEntries(expected));
});
