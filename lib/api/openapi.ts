// The API's OpenAPI 3.1 document, built from the zod schemas the handlers parse and answer with
// (zod 4's JSON Schema output, draft 2020-12, the dialect of OpenAPI 3.1). Served at
// GET /api/v1/openapi.json and rendered at /docs/api; tests/openapi.test.ts validates it and
// checks real responses of every route against it. The prose is docs/api.md.
import { z } from "zod";
import {
  errorBodySchema,
  healthSchema,
  liveSchema,
  readySchema,
  sessionSchema,
  signedInSchema,
} from "@/lib/api/schemas";
import { credentialsSchema } from "@/lib/auth/sign-in";
import { alertsLimitSchema, alertsSchema } from "@/lib/events/alerts";
import { feedEventSchema, feedStatusSchema } from "@/lib/events/feed-event";
import { fieldChangeSchema } from "@/lib/products/changes";
import { catchUpSchema, eventIdSchema, productIdsSchema } from "@/lib/events/feed-request";
import { IMPORT_KINDS, MAX_IMPORT_ROWS } from "@/lib/imports/csv";
import { importPreviewSchema, importResultSchema, SKIP_CHOICES } from "@/lib/imports/dto";
import { SORT_KEYS } from "@/lib/products/product-order";
import { VIEW_FILTERS } from "@/lib/products/view";
import {
  bulkAdjustmentResultSchema,
  historySuggestionsSchema,
  productDtoSchema,
  productHistoryEntrySchema,
  productHistorySchema,
  productSnapshotSchema,
  stocktakeResultSchema,
} from "@/lib/products/dto";
import {
  MAX_BULK_ITEMS,
  archivedFilterSchema,
  archiveSchema,
  bulkAdjustmentSchema,
  createProductSchema,
  historyLimitSchema,
  idempotencyKeySchema,
  productIdSchema,
  skuLookupSchema,
  stockAdjustmentSchema,
  stocktakeSchema,
  updateProductSchema,
} from "@/lib/products/validation";
import {
  createdWebhookSchema,
  deliveryPageSchema,
  webhookDeliverySchema,
  webhookDtoSchema,
  webhookListSchema,
} from "@/lib/webhooks/dto";
import {
  createWebhookSchema,
  deliveriesQuerySchema,
  replaySchema,
  updateWebhookSchema,
  webhookIdSchema,
} from "@/lib/webhooks/validation";

type JsonSchema = Record<string, unknown>;

// Request bodies are described as clients send them (defaults optional), responses as sent.
const REQUEST_BODIES = {
  CreateProduct: createProductSchema,
  UpdateProduct: updateProductSchema,
  StockAdjustment: stockAdjustmentSchema,
  ArchiveProduct: archiveSchema,
  BulkAdjustment: bulkAdjustmentSchema,
  Stocktake: stocktakeSchema,
  SignIn: credentialsSchema,
  CreateWebhook: createWebhookSchema,
  UpdateWebhook: updateWebhookSchema,
  ReplayWebhook: replaySchema,
} satisfies Record<string, z.ZodType>;

const RESPONSES = {
  Product: productDtoSchema,
  ProductSnapshot: productSnapshotSchema,
  ProductHistory: productHistorySchema,
  ProductHistoryEntry: productHistoryEntrySchema,
  HistorySuggestions: historySuggestionsSchema,
  FieldChange: fieldChangeSchema,
  BulkAdjustmentResult: bulkAdjustmentResultSchema,
  StocktakeResult: stocktakeResultSchema,
  ImportPreview: importPreviewSchema,
  ImportResult: importResultSchema,
  FeedEvent: feedEventSchema,
  FeedStatus: feedStatusSchema,
  Error: errorBodySchema,
  Health: healthSchema,
  Ready: readySchema,
  Live: liveSchema,
  Session: sessionSchema,
  SignedIn: signedInSchema,
  Alerts: alertsSchema,
  Webhook: webhookDtoSchema,
  CreatedWebhook: createdWebhookSchema,
  WebhookList: webhookListSchema,
  WebhookDelivery: webhookDeliverySchema,
  WebhookDeliveryPage: deliveryPageSchema,
} satisfies Record<string, z.ZodType>;

export type SchemaName = keyof typeof REQUEST_BODIES | keyof typeof RESPONSES;

/** JSON Schema of a zod schema, without the `$schema`/`$id` keys a standalone document carries. */
function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io }) as JsonSchema;
  return rest;
}

function components(schemas: Record<string, z.ZodType>, io: "input" | "output"): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: generated } = z.toJSONSchema(registry, {
    target: "draft-2020-12",
    io,
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(
    Object.entries(generated).map(([id, { $schema: _schema, $id: _id, ...rest }]) => [id, rest as JsonSchema]),
  );
}

const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: SchemaName) => ({ "application/json": { schema: ref(name) } });

type Response = { description: string; content?: Record<string, unknown>; headers?: Record<string, unknown> };

/** An error response: its codes, each with when it happens. */
const error = (...codes: string[]): Response => ({ description: codes.join("; "), content: json("Error") });
const retryAfter = { "Retry-After": { description: "seconds to wait", schema: { type: "integer", minimum: 1 } } };

// Every route under /api/v1 counts against the request-rate limits; every route that reads the
// database can meet an outage.
const RATE_LIMITED: Response = {
  ...error("RATE_LIMITED: too many requests from this token or address"),
  headers: retryAfter,
};
const UNAVAILABLE: Response = {
  ...error("DATABASE_UNAVAILABLE: the database cannot be reached; retry later"),
  headers: retryAfter,
};
// Feed streams and CSV exports hold a connection for long: they count against the open-stream
// limits per address (429) and per instance (503).
const STREAM_429: Response = {
  ...error(
    "TOO_MANY_STREAMS: this address has FEED_MAX_STREAMS_PER_ADDRESS feed streams and exports open",
    "RATE_LIMITED: too many requests",
  ),
  headers: retryAfter,
};
const STREAM_503: Response = {
  ...error(
    "STREAM_LIMIT_REACHED: this instance has its MAX_OPEN_STREAMS feed streams and exports open (error.maxOpenStreams)",
    "DATABASE_UNAVAILABLE: the database cannot be reached",
  ),
  headers: retryAfter,
};

const READ_401 = error(
  "UNAUTHENTICATED: a bearer token that is not valid; or, with READ_ACCESS=staff, neither a token nor a signed-in session",
);
const WRITE_401 = error("UNAUTHENTICATED: no credentials, or a bearer token that is not valid");
const WRITE_403 = error(
  "FORBIDDEN: a signed-in viewer, or a read-only token",
  "CROSS_ORIGIN: a cookie-authenticated write without this site's Origin",
);
const BODY_ERRORS = {
  "413": error("BODY_TOO_LARGE: the body is larger than the limit (16 KiB; 4 MiB for the bulk routes)"),
  "415": error("UNSUPPORTED_MEDIA_TYPE: not application/json, or a charset other than utf-8"),
};
const IDEMPOTENCY_ERRORS = {
  "422": error("IDEMPOTENCY_KEY_REUSED: this Idempotency-Key was used with another body"),
  "409": {
    ...error("IDEMPOTENCY_IN_PROGRESS: a request with this Idempotency-Key is still running; retry"),
    headers: { "Retry-After": { description: "1", schema: { type: "integer" } } },
  },
};

const REPLAYED_HEADER = {
  "Idempotent-Replayed": {
    description: "`true` when this is the stored answer to an earlier request with the same Idempotency-Key",
    schema: { type: "string", enum: ["true"] },
  },
};

const productIdParameter = {
  name: "id",
  in: "path",
  required: true,
  description: "the product id, decimal digits only",
  schema: jsonSchema(productIdSchema, "input"),
};
const idempotencyKeyParameter = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "makes a retry safe: the same key (per credential, method and path) with the same body within 24 h gets the first answer again and applies nothing more (docs/api.md, Idempotent writes)",
  schema: jsonSchema(idempotencyKeySchema, "input"),
};

// Anonymous readers are welcome unless READ_ACCESS=staff; `{}` is "no credentials".
type Security = Array<Record<string, string[]>>;
const READ_SECURITY: Security = [{}, { adminToken: [] }, { readToken: [] }, { session: [] }];
const WRITE_SECURITY: Security = [{ adminToken: [] }, { session: [] }];

type Operation = {
  summary: string;
  description?: string;
  tags: string[];
  security?: Security;
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, Response>;
};

const body = (name: SchemaName) => ({ required: true, content: json(name) });

/** A write of the product API: admin credentials, a JSON body, an optional Idempotency-Key. */
function write(operation: Omit<Operation, "security" | "tags"> & { body: SchemaName; tags?: string[] }): Operation {
  const { body: bodyName, parameters = [], responses, tags = ["products"], ...rest } = operation;
  const success = Object.fromEntries(
    Object.entries(responses)
      .filter(([status]) => status.startsWith("2"))
      .map(([status, response]) => [status, { ...response, headers: { ...response.headers, ...REPLAYED_HEADER } }]),
  );
  return {
    ...rest,
    tags,
    security: WRITE_SECURITY,
    parameters: [...parameters, idempotencyKeyParameter],
    requestBody: body(bodyName),
    responses: {
      ...responses,
      ...success,
      "401": WRITE_401,
      "403": WRITE_403,
      ...BODY_ERRORS,
      ...IDEMPOTENCY_ERRORS,
      ...(responses["409"] && {
        "409": {
          ...responses["409"],
          description: `${responses["409"].description}; ${IDEMPOTENCY_ERRORS["409"].description}`,
        },
      }),
      "429": RATE_LIMITED,
      "503": UNAVAILABLE,
    },
  };
}

const VALIDATION = (what: string) =>
  error(
    `VALIDATION_FAILED: ${what} (issues name each field)`,
    "INVALID_JSON: the body is not JSON",
    "INVALID_IDEMPOTENCY_KEY: the Idempotency-Key header is not 1-255 visible ASCII characters",
  );

const IMPORT_FILE_ERRORS =
  "CSV_ENCODING: UTF-16 or not UTF-8 (save as CSV UTF-8); CSV_NOT_TEXT: binary data; CSV_EMPTY: no header, or no rows; " +
  "CSV_COLUMNS: the header lacks sku or the value column (error.expected, error.found); CSV_MALFORMED: a quoted cell never closed (error.line); " +
  "VALIDATION_FAILED: kind (or, for apply, reason or asOf) missing or malformed, asOf newer than any event, unknownSkus or conflicts not refuse or skip, a query parameter unknown or given twice";

/** POST /api/v1/imports/preview and /api/v1/imports: a CSV body, the kind and the rest in the query. */
function importOperation(step: "preview" | "apply"): Operation {
  const query = (name: string, description: string, schema: JsonSchema, required = true) => ({
    name,
    in: "query",
    required,
    description,
    schema,
  });
  const parameters = [
    query(
      "kind",
      "stocktake (columns sku and count, or the product export's stock; optional expectedStock) or prices (columns sku and price; optional expectedPrice)",
      { type: "string", enum: [...IMPORT_KINDS] },
    ),
    query(
      "unknownSkus",
      "refuse (default): a row naming no product or an archived one refuses the file (400 IMPORT_INVALID); skip: such rows are left out and listed in skipped",
      { type: "string", enum: [...SKIP_CHOICES], default: "refuse" },
      false,
    ),
    query(
      "conflicts",
      "refuse (default): an edited row whose expectedStock/expectedPrice is no longer the product's value refuses the file (409 IMPORT_CONFLICT); skip: such rows are left out and listed in skipped",
      { type: "string", enum: [...SKIP_CHOICES], default: "refuse" },
      false,
    ),
    ...(step === "apply"
      ? [
          query("reason", "why, recorded on every event (1-200 characters), e.g. stocktake 2026-11", {
            type: "string",
            minLength: 1,
            maxLength: 200,
          }),
          query(
            "asOf",
            "the preview's asOf: refuse (409) if a product named by a row without expectedStock/expectedPrice changed after it",
            {
              type: "string",
              pattern: "^\\d{1,18}$",
            },
            false,
          ),
          idempotencyKeyParameter,
        ]
      : []),
  ];
  const success =
    step === "preview"
      ? { description: "what each row would change; nothing is changed", content: json("ImportPreview") }
      : {
          description: "applied in one transaction: one event per changed product, in file order",
          content: json("ImportResult"),
          headers: REPLAYED_HEADER,
        };
  return {
    summary:
      step === "preview"
        ? "Preview a stocktake or price list CSV: old -> new per line, unknown skus, conflicts, invalid cells"
        : "Apply a stocktake or price list CSV, all or nothing, with one reason",
    description: `The body is the CSV file as a spreadsheet saves it (text/csv, UTF-8, a byte-order mark allowed; \`,\` or \`;\` separated, detected from the header), at most ${MAX_IMPORT_ROWS.toLocaleString("en")} rows and 4 MiB. See docs/api.md, CSV import.`,
    tags: ["products"],
    security: WRITE_SECURITY,
    parameters,
    requestBody: { required: true, content: { "text/csv": { schema: { type: "string" } } } },
    responses: {
      "200": success,
      "400": error(
        IMPORT_FILE_ERRORS,
        ...(step === "apply"
          ? [
              "IMPORT_INVALID: rows are invalid or name unknown skus without unknownSkus=skip (error.invalid, error.unknown); nothing was changed",
              "INVALID_IDEMPOTENCY_KEY: the Idempotency-Key header is not 1-255 visible ASCII characters",
            ]
          : []),
      ),
      "401": WRITE_401,
      "403": WRITE_403,
      ...(step === "apply"
        ? {
            "409": {
              ...error(
                "PREVIEW_STALE: a product of an unguarded row changed after asOf (error.lines): preview again",
                "IMPORT_CONFLICT: edited rows change a value that moved since they were taken (error.conflicts), without conflicts=skip; nothing was changed",
                IDEMPOTENCY_ERRORS["409"].description,
              ),
              headers: IDEMPOTENCY_ERRORS["409"].headers,
            },
          }
        : {}),
      "413": error(`IMPORT_TOO_LARGE: more than ${MAX_IMPORT_ROWS.toLocaleString("en")} rows, or more than 4 MiB`),
      "415": error("UNSUPPORTED_MEDIA_TYPE: not text/csv (or text/plain), or a charset other than utf-8"),
      ...(step === "apply" ? { "422": IDEMPOTENCY_ERRORS["422"] } : {}),
      "429": RATE_LIMITED,
      "503": UNAVAILABLE,
    },
  };
}
const HISTORY_DESCRIPTION =
  "Newest first, a page at a time by cursor: pass a page's nextBefore as `before` for the next older page, its nextAfter as `after` for the next newer one. Cursors are event ids, so pages do not shift while new events arrive. Staff and tokens get each entry's actor and reason; anonymous readers get the entries without them, and may not filter by them. Unknown parameters are refused.";

const query = (name: string, description: string, schema: JsonSchema, example?: string) => ({
  name,
  in: "query",
  required: false,
  description,
  schema,
  ...(example === undefined ? {} : { example }),
});

const PRODUCT_FILTER = query("productId", "only this product's events", jsonSchema(productIdSchema, "input"));
const HISTORY_FILTERS = [
  query(
    "actor",
    "only changes by this person or token, in any case: a whole email or api:<token name> selects that one; other text every one containing it (anna finds anna@shop.example and hanna@shop.example). Trimmed; staff and tokens only",
    { type: "string", minLength: 1, maxLength: 200 },
    "api:pos",
  ),
  query(
    "reason",
    "only changes with this whole reason, in any case (Sale finds sale). Trimmed; staff and tokens only",
    { type: "string", minLength: 1, maxLength: 200 },
    "stocktake 2026-11",
  ),
  query("kind", "only these kinds: repeat the parameter or separate with commas", { type: "string" }, "stock,price"),
  query(
    "from",
    "changes at or after this moment (inclusive): an ISO 8601 date-time with offset, or a date alone for that UTC day's start",
    { type: "string" },
    "2026-11-01",
  ),
  query(
    "to",
    "changes before this moment (exclusive): an ISO 8601 date-time with offset, or a date alone to include that whole UTC day",
    { type: "string" },
    "2026-11-30",
  ),
];
const HISTORY_PAGING = [
  query("before", "events older than this id: the previous page's nextBefore", jsonSchema(eventIdSchema, "input")),
  query(
    "after",
    "events newer than this id: the previous page's nextAfter (not with before)",
    jsonSchema(eventIdSchema, "input"),
  ),
  query("limit", "how many entries", jsonSchema(historyLimitSchema, "output")),
];
const PRODUCT_VIEW_PARAMETERS = [
  query("q", "search: products whose name or SKU contains this, in any case", { type: "string", maxLength: 200 }),
  query(
    "filter",
    "stock level: all (default); reorder, the products to reorder (stock at or below lowStockThreshold: low or out); low; or out",
    { type: "string", enum: [...VIEW_FILTERS] },
  ),
  query(
    "sort",
    "name (default), sku, price, stock or updated; names and SKUs in DISPLAY_LOCALE's collation, numbers in them by value",
    { type: "string", enum: [...SORT_KEYS] },
  ),
  query("dir", "asc (default) or desc", { type: "string", enum: ["asc", "desc"] }),
];
const HISTORY_401 = error(
  "UNAUTHENTICATED: a bearer token that is not valid; filtering by actor or reason without staff sign-in or a token; or, with READ_ACCESS=staff, neither a token nor a signed-in session",
);
const CSV_HISTORY_COLUMNS =
  "eventId, at, productId, sku, name, kind, delta, stock, lowStockThreshold, stockLevel, previousStockLevel, priceMinorUnits, price, currency, version, changed, previousName, previousSku, previousPriceMinorUnits, previousPrice, previousStock, previousLowStockThreshold, actor, reason";
const CSV_PRODUCT_COLUMNS =
  "id, sku, name, stock, lowStockThreshold, stockLevel, priceMinorUnits, price, currency, version, updatedAt, expectedStock, expectedPrice (the stock and price the row was taken at: the file imports back as a stocktake or price list that changes only what was edited)";
const CSV_DESCRIPTION =
  "UTF-8 with a byte order mark, CRLF line ends, RFC 4180 quoting; price in minor units and as a major-unit decimal with the currency code; times in UTC (ISO 8601). A text cell starting with = + - @ tab or CR is written with a leading apostrophe so spreadsheets do not run it as a formula. Sent as a download (Content-Disposition, named with the date) and streamed as it is read from the database, as the client reads; a client that takes nothing for EXPORT_STALL_TIMEOUT_MS (30 s) is cut. An export counts as an open stream (429 TOO_MANY_STREAMS, 503 STREAM_LIMIT_REACHED).";
const CSV_RESPONSE: Response = {
  description: "the CSV file",
  headers: {
    "Content-Disposition": {
      description: 'attachment; filename="stockpulse-<what>-<YYYY-MM-DD>.csv"',
      schema: { type: "string" },
    },
  },
  content: { "text/csv": { schema: { type: "string" } } },
};

const FEED_DESCRIPTION = `Server-Sent Events. The stream starts with \`retry: <ms>\`, then frames:

- an unnamed event per committed change: \`id: <eventId>\` and \`data: <FeedEvent JSON>\` (schema FeedEvent);
- \`event: status\` with \`{"live": false, "reason": ...}\` while this instance cannot follow the database, \`{"live": true}\` once it has caught up (schema FeedStatus);
- \`event: reset\` with \`{"reason": ...}\` when the resume point is older than the retained history or unknown: reload the snapshot (GET /api/v1/products) and subscribe from its lastEventId; the stream then ends;
- \`event: shutdown\` (after \`retry: 500\`) when the instance stops: reconnect, with Last-Event-ID;
- \`: ping\` comments every SSE_HEARTBEAT_MS (15 s).

Resume with the Last-Event-ID header (EventSource sends it on reconnect; it wins) or ?lastEventId= (the first connection after a snapshot): every event after it is replayed, then the live feed follows with no gap and no duplicate. With ?catchUp=latest only each changed product's newest event is replayed (in id order), then every event as usual.

Catching up from the database runs within a budget per instance (FEED_REPLAY_CONCURRENCY pages at once, FEED_REPLAY_CONCURRENCY_PER_ADDRESS per client address): a deep resume is never refused for it, its events may start later.`;

const feedOperation = (head: boolean): Operation => ({
  summary: head ? "The feed's headers, without subscribing" : "The live feed of product changes (SSE)",
  description: head ? "Answers the headers GET would and never subscribes." : FEED_DESCRIPTION,
  tags: ["feed"],
  security: READ_SECURITY,
  parameters: [
    {
      name: "productIds",
      in: "query",
      required: false,
      description: "only these products (comma-separated ids, at most 500)",
      schema: jsonSchema(productIdsSchema, "input"),
      example: "1,5,9",
    },
    {
      name: "lastEventId",
      in: "query",
      required: false,
      description: "resume after this event id (the snapshot's lastEventId)",
      schema: jsonSchema(eventIdSchema, "input"),
    },
    {
      name: "Last-Event-ID",
      in: "header",
      required: false,
      description: "resume after this event id; wins over ?lastEventId",
      schema: jsonSchema(eventIdSchema, "input"),
    },
    {
      name: "catchUp",
      in: "query",
      required: false,
      description:
        "how a resume catches up: all (default) every event after the id; latest only each changed product's newest event, then every event",
      schema: jsonSchema(catchUpSchema, "input"),
    },
  ],
  responses: {
    "200": {
      description: "the event stream",
      content: {
        "text/event-stream": {
          schema: {
            type: "string",
            description: "SSE frames; each unnamed event's data is a FeedEvent, each `status` event's a FeedStatus",
          },
          "x-sse-events": {
            message: ref("FeedEvent"),
            status: ref("FeedStatus"),
            reset: { type: "object", properties: { reason: { type: "string" } } },
            shutdown: { type: "object", properties: { reason: { type: "string" } } },
          },
        },
      },
    },
    "400": error("VALIDATION_FAILED: productIds, lastEventId, Last-Event-ID or catchUp is malformed"),
    "401": READ_401,
    "429": STREAM_429,
    "503": STREAM_503,
  },
});

// Webhooks: admin only, reads included (a subscription's URL and log are the shop's business).
const webhookIdParameter = {
  name: "id",
  in: "path",
  required: true,
  description: "the webhook id, decimal digits only",
  schema: jsonSchema(webhookIdSchema, "input"),
};
const ADMIN_READ_403 = error("FORBIDDEN: a signed-in viewer, or a read-only token");
const WEBHOOK_NOT_FOUND = error("NOT_FOUND: no such webhook");
const TARGET_ERRORS = [
  "INVALID_URL: not an http(s) URL, or it holds a user name or password",
  "PRIVATE_ADDRESS: the host is or resolves to a loopback, private, link-local or other non-public address",
  "UNRESOLVABLE_HOST: the host name does not resolve",
];

/** A read of the webhook API: admin credentials. */
const adminRead = (operation: Omit<Operation, "security" | "tags">): Operation => ({
  ...operation,
  tags: ["webhooks"],
  security: WRITE_SECURITY,
  responses: {
    "401": WRITE_401,
    "403": ADMIN_READ_403,
    "429": RATE_LIMITED,
    "503": UNAVAILABLE,
    ...operation.responses,
  },
});

const WEBHOOK_PATHS: Record<string, Record<string, Operation>> = {
  "/api/v1/webhooks": {
    get: adminRead({
      summary: "Every webhook subscription, without secrets",
      responses: { "200": { description: "the subscriptions", content: json("WebhookList") } },
    }),
    post: write({
      summary: "Subscribe a URL to the event log",
      description:
        "Starts after the newest event. The answer holds the signing secret, this once. The URL is checked against request forgery (docs/api.md, Webhooks).",
      tags: ["webhooks"],
      body: "CreateWebhook",
      responses: {
        "201": { description: "the new subscription and its secret", content: json("CreatedWebhook") },
        "400": {
          ...VALIDATION("url, kinds or productIds is invalid"),
          description: [
            VALIDATION("url, kinds or productIds is invalid").description,
            ...TARGET_ERRORS,
            "UNKNOWN_PRODUCT: productIds names a product that does not exist",
          ].join("; "),
        },
      },
    }),
  },
  "/api/v1/webhooks/{id}": {
    get: adminRead({
      summary: "One subscription: status, cursor, why it is paused",
      parameters: [webhookIdParameter],
      responses: {
        "200": { description: "the subscription", content: json("Webhook") },
        "400": error("VALIDATION_FAILED: the id is not a webhook id"),
        "404": WEBHOOK_NOT_FOUND,
      },
    }),
    patch: write({
      summary: "Pause, resume, or change the URL, kinds or products",
      description: 'status "active" resumes from the cursor: nothing committed while paused is lost.',
      tags: ["webhooks"],
      parameters: [webhookIdParameter],
      body: "UpdateWebhook",
      responses: {
        "200": { description: "the subscription after the change", content: json("Webhook") },
        "400": {
          ...VALIDATION("a field is invalid, or nothing to change"),
          description: `${VALIDATION("a field is invalid, or nothing to change").description}; ${TARGET_ERRORS.join("; ")}`,
        },
        "404": WEBHOOK_NOT_FOUND,
      },
    }),
    delete: adminRead({
      summary: "Unsubscribe; the delivery log goes too",
      parameters: [webhookIdParameter],
      responses: {
        "204": { description: "deleted" },
        "400": error("VALIDATION_FAILED: the id is not a webhook id"),
        "403": WRITE_403,
        "404": WEBHOOK_NOT_FOUND,
      },
    }),
  },
  "/api/v1/webhooks/{id}/replay": {
    post: write({
      summary: "Deliver again from a retained event id on",
      tags: ["webhooks"],
      parameters: [webhookIdParameter],
      body: "ReplayWebhook",
      responses: {
        "200": { description: "the subscription with its cursor set back", content: json("Webhook") },
        "400": VALIDATION("fromEventId is not an event id"),
        "404": WEBHOOK_NOT_FOUND,
        "409": error("EVENT_NOT_RETAINED: fromEventId is older or newer than the retained events"),
      },
    }),
  },
  "/api/v1/webhooks/{id}/test": {
    post: {
      summary: "Send a signed test request now",
      description: 'The body sent is {"test": true, "events": []}; the cursor stays. Answers the delivery log entry.',
      tags: ["webhooks"],
      security: WRITE_SECURITY,
      parameters: [webhookIdParameter, idempotencyKeyParameter],
      responses: {
        "200": { description: "the attempt, as logged", content: json("WebhookDelivery"), headers: REPLAYED_HEADER },
        "400": error(
          "VALIDATION_FAILED: the id is not a webhook id",
          "INVALID_IDEMPOTENCY_KEY: the Idempotency-Key header is not 1-255 visible ASCII characters",
        ),
        "401": WRITE_401,
        "403": WRITE_403,
        "404": WEBHOOK_NOT_FOUND,
        "409": IDEMPOTENCY_ERRORS["409"],
        "429": RATE_LIMITED,
        "503": UNAVAILABLE,
      },
    },
  },
  "/api/v1/webhooks/{id}/deliveries": {
    get: adminRead({
      summary: "The delivery log, newest first, a page at a time",
      parameters: [
        webhookIdParameter,
        {
          name: "limit",
          in: "query",
          required: false,
          description: "entries per page",
          schema: jsonSchema(deliveriesQuerySchema.shape.limit, "output"),
        },
        {
          name: "before",
          in: "query",
          required: false,
          description: "the previous page's nextBefore",
          schema: { type: "string", pattern: "^[1-9]\\d{0,18}$" },
        },
      ],
      responses: {
        "200": { description: "a page of the log", content: json("WebhookDeliveryPage") },
        "400": error("VALIDATION_FAILED: the id, limit or before is invalid"),
        "404": WEBHOOK_NOT_FOUND,
      },
    }),
  },
};

const PRODUCT_ARCHIVED = "PRODUCT_ARCHIVED: the product is archived and takes no changes until restored";

/** POST /api/v1/products/{id}/archive and /restore: a write whose body may be left out. */
function archiveOperation(archive: boolean): Operation {
  const operation = write({
    summary: archive
      ? "Archive a product: it leaves the default list and takes no changes; its history stays"
      : "Restore an archived product to the default list",
    description: archive
      ? 'Sets archivedAt and makes one event of kind `archived` (on the feed, in replay, webhooks and history). The SKU stays taken. The body, `{"reason"}`, may be left out.'
      : 'Clears archivedAt and makes one event of kind `restored`. The body, `{"reason"}`, may be left out.',
    parameters: [productIdParameter],
    body: "ArchiveProduct",
    responses: {
      "200": { description: "the product after the change", content: json("Product") },
      "400": VALIDATION("the id is not a product id, or reason is invalid"),
      "404": error("NOT_FOUND: no such product"),
      "409": archive
        ? error("ALREADY_ARCHIVED: the product is archived already (error.current is the product now)")
        : error("NOT_ARCHIVED: the product is not archived (error.current is the product now)"),
    },
  });
  return { ...operation, requestBody: { required: false, content: json("ArchiveProduct") } };
}

const PATHS: Record<string, Record<string, Operation>> = {
  "/api/v1/products": {
    get: {
      summary: "The active products, and the last event id the list reflects",
      description:
        "With ?archived=true only archived products, with ?archived=all every product. With ?sku= only the product whose sku equals the value exactly (case- and whitespace-sensitive) among those: 0 or 1 products, same shape.",
      tags: ["products"],
      security: READ_SECURITY,
      parameters: [
        {
          name: "sku",
          in: "query",
          required: false,
          description: "exact sku as stored",
          schema: jsonSchema(skuLookupSchema, "input"),
        },
        {
          name: "archived",
          in: "query",
          required: false,
          description: '"false" (the default): active products; "true": archived ones; "all": both',
          schema: jsonSchema(archivedFilterSchema, "input"),
        },
      ],
      responses: {
        "200": { description: "the snapshot", content: json("ProductSnapshot") },
        "400": error(
          "VALIDATION_FAILED: sku is empty or too long, archived is not false, true or all, or either is repeated",
        ),
        "401": READ_401,
        "429": RATE_LIMITED,
        "503": UNAVAILABLE,
      },
    },
    post: write({
      summary: "Create a product",
      body: "CreateProduct",
      responses: {
        "201": { description: "the new product", content: json("Product") },
        "400": VALIDATION("a field is missing or invalid"),
        "409": error("SKU_TAKEN: another product, active or archived, has this sku (SKUs stay unique)"),
      },
    }),
  },
  "/api/v1/products/{id}": {
    get: {
      summary: "One product",
      tags: ["products"],
      security: READ_SECURITY,
      parameters: [productIdParameter],
      responses: {
        "200": { description: "the product", content: json("Product") },
        "400": error("VALIDATION_FAILED: the id is not a product id"),
        "401": READ_401,
        "404": error("NOT_FOUND: no such product"),
        "429": RATE_LIMITED,
        "503": UNAVAILABLE,
      },
    },
    patch: write({
      summary: "Set fields; with expectedVersion only at that version, with expectedStock only at that stock",
      description:
        "Values equal to the current ones change nothing: no new version, no event. A stock count sent with " +
        "expectedStock (the stock it was counted against) applies only while the stock is still that, so a sale " +
        "meanwhile is never undone; its event records the difference as delta. reason (with stock) goes into the event.",
      parameters: [productIdParameter],
      body: "UpdateProduct",
      responses: {
        "200": { description: "the product after the change", content: json("Product") },
        "400": VALIDATION("a field is invalid, or nothing to change"),
        "404": error("NOT_FOUND: no such product"),
        "409": error(
          "VERSION_CONFLICT: expectedVersion is not the current version (error.current is the product now)",
          "STOCK_CONFLICT: expectedStock is not the current stock (error.current is the product now); count again or send the difference as a stock adjustment",
          "SKU_TAKEN: another product, active or archived, has this sku",
          PRODUCT_ARCHIVED,
        ),
      },
    }),
  },
  "/api/v1/products/{id}/stock-adjustments": {
    post: write({
      summary: "Add or remove stock atomically",
      parameters: [productIdParameter],
      body: "StockAdjustment",
      responses: {
        "200": { description: "the product after the change", content: json("Product") },
        "400": VALIDATION("delta is zero or not a whole number, or reason is invalid"),
        "404": error("NOT_FOUND: no such product"),
        "409": error(
          "INSUFFICIENT_STOCK: the stock would go below zero (error.current is the product now)",
          "STOCK_OUT_OF_RANGE: the stock would exceed 2147483647",
          PRODUCT_ARCHIVED,
        ),
      },
    }),
  },
  "/api/v1/products/{id}/archive": { post: archiveOperation(true) },
  "/api/v1/products/{id}/restore": { post: archiveOperation(false) },
  "/api/v1/products/{id}/events": {
    get: {
      summary: "A page of the product's history, newest first",
      description: `${HISTORY_DESCRIPTION} The product is the one in the path (no productId parameter).`,
      tags: ["history"],
      security: READ_SECURITY,
      parameters: [productIdParameter, ...HISTORY_FILTERS, ...HISTORY_PAGING],
      responses: {
        "200": { description: "a page of the history", content: json("ProductHistory") },
        "400": error("VALIDATION_FAILED: the id or a query parameter is invalid or unknown (issues name it)"),
        "401": HISTORY_401,
        "404": error("NOT_FOUND: no such product"),
        "429": RATE_LIMITED,
        "503": UNAVAILABLE,
      },
    },
  },
  "/api/v1/events": {
    get: {
      summary: "A page of the shop's history, newest first",
      description: HISTORY_DESCRIPTION,
      tags: ["history"],
      security: READ_SECURITY,
      parameters: [PRODUCT_FILTER, ...HISTORY_FILTERS, ...HISTORY_PAGING],
      responses: {
        "200": { description: "a page of the history", content: json("ProductHistory") },
        "400": error("VALIDATION_FAILED: a query parameter is invalid or unknown (issues name it)"),
        "401": HISTORY_401,
        "404": error("NOT_FOUND: productId names no product"),
        "429": RATE_LIMITED,
        "503": UNAVAILABLE,
      },
    },
  },
  "/api/v1/events/suggestions": {
    get: {
      summary: "The people and reasons the history's filters can take",
      description:
        "For the actor and reason fields of a history filter: every person and token that made a change (at most 200, in order) and the reasons of the latest 5,000 events, most used first (at most 50), then the stock forms' own. Staff emails, so staff and tokens only. Takes no parameters.",
      tags: ["history"],
      security: READ_SECURITY,
      responses: {
        "200": { description: "the suggestions", content: json("HistorySuggestions") },
        "400": error("VALIDATION_FAILED: a query parameter was given (it takes none)"),
        "401": error(
          "UNAUTHENTICATED: neither staff sign-in nor a token (anonymous readers do not see who and why), or a bearer token that is not valid",
        ),
        "429": RATE_LIMITED,
        "503": UNAVAILABLE,
      },
    },
  },
  "/api/v1/events.csv": {
    get: {
      summary: "The shop's history (or a product's) as CSV, newest first, streamed",
      description: `Every event the filters match, one row each, with the columns ${CSV_HISTORY_COLUMNS}; actor and reason only for staff and tokens. changed names the fields the event changed (space-separated); each previous* cell holds its field's value before the change when that field changed, and is empty otherwise. ${CSV_DESCRIPTION}`,
      tags: ["history"],
      security: READ_SECURITY,
      parameters: [PRODUCT_FILTER, ...HISTORY_FILTERS],
      responses: {
        "200": CSV_RESPONSE,
        "400": error("VALIDATION_FAILED: a query parameter is invalid or unknown (issues name it)"),
        "401": HISTORY_401,
        "404": error("NOT_FOUND: productId names no product"),
        "429": STREAM_429,
        "503": STREAM_503,
      },
    },
  },
  "/api/v1/products.csv": {
    get: {
      summary: "The products of a dashboard view as CSV, in the dashboard's order, streamed",
      description: `The dashboard's URL parameters select and order the products exactly as the dashboard shows them (no parameters: every product by name). Columns: ${CSV_PRODUCT_COLUMNS}. ${CSV_DESCRIPTION}`,
      tags: ["products"],
      security: READ_SECURITY,
      parameters: PRODUCT_VIEW_PARAMETERS,
      responses: {
        "200": CSV_RESPONSE,
        "400": error("VALIDATION_FAILED: a query parameter is invalid or unknown (issues name it)"),
        "401": READ_401,
        "429": STREAM_429,
        "503": STREAM_503,
      },
    },
  },
  "/api/v1/stock-adjustments": {
    post: write({
      summary: "Adjust many products' stock, all or nothing",
      description: `1 to ${MAX_BULK_ITEMS} items, each naming exactly one of productId and sku, no product twice. One transaction; one event per item, ids in item order. Errors name the failing item: issues paths like items.3.delta, or error.index.`,
      body: "BulkAdjustment",
      responses: {
        "200": { description: "the products after the change, in item order", content: json("BulkAdjustmentResult") },
        "400": VALIDATION("an item is invalid (issues path items.<n>.<field>)"),
        "404": error("NOT_FOUND: an item names no product (error.index)"),
        "409": error(
          "INSUFFICIENT_STOCK: an item would take stock below zero (error.index)",
          "STOCK_OUT_OF_RANGE: an item would take stock past 2147483647 (error.index)",
          `${PRODUCT_ARCHIVED} (error.index)`,
        ),
      },
    }),
  },
  "/api/v1/stocktakes": {
    post: write({
      summary: "Set many products' stock counts, all or nothing",
      description: `1 to ${MAX_BULK_ITEMS} items, each naming exactly one of productId and sku. Items whose count equals the current stock make no event.`,
      body: "Stocktake",
      responses: {
        "200": { description: "the products in item order, and how many changed", content: json("StocktakeResult") },
        "400": VALIDATION("an item is invalid (issues path items.<n>.<field>)"),
        "404": error("NOT_FOUND: an item names no product (error.index)"),
        "409": error(
          "STOCK_CONFLICT: an item's expectedStock is not the product's stock (error.index, error.current)",
          "VERSION_CONFLICT: an item's expectedVersion is not the product's version (error.index)",
          `${PRODUCT_ARCHIVED} (error.index)`,
        ),
      },
    }),
  },
  "/api/v1/imports/preview": {
    post: importOperation("preview"),
  },
  "/api/v1/imports": {
    post: importOperation("apply"),
  },
  "/api/v1/stream/product-updates": { get: feedOperation(false), head: feedOperation(true) },
  "/api/v1/session": {
    get: {
      summary: "Who is signed in",
      tags: ["session"],
      security: [{ session: [] }],
      responses: {
        "200": { description: "the signed-in user", content: json("Session") },
        "401": error("UNAUTHENTICATED: not signed in"),
        "429": RATE_LIMITED,
        "503": UNAVAILABLE,
      },
    },
    post: {
      summary: "Sign in; sets the HttpOnly session cookie",
      description: "Needs this site's Origin (or Sec-Fetch-Site: same-origin).",
      tags: ["session"],
      security: [{}],
      requestBody: body("SignIn"),
      responses: {
        "200": {
          description: "signed in; Set-Cookie: stockpulse_session",
          content: json("SignedIn"),
          headers: { "Set-Cookie": { description: "the session cookie", schema: { type: "string" } } },
        },
        "400": error("VALIDATION_FAILED: email or password missing or malformed", "INVALID_JSON: the body is not JSON"),
        "401": error("INVALID_CREDENTIALS: wrong email or password"),
        "403": error("CROSS_ORIGIN: not sent from this site"),
        ...BODY_ERRORS,
        "429": {
          ...error(
            "TOO_MANY_ATTEMPTS: too many failed sign-ins for this email, address or device",
            "SIGN_IN_BUSY: too many sign-ins at once",
            "RATE_LIMITED: too many requests",
          ),
          headers: retryAfter,
        },
        "503": UNAVAILABLE,
      },
    },
    delete: {
      summary: "Sign out: the session is revoked on the server",
      tags: ["session"],
      security: [{ session: [] }, {}],
      responses: {
        "204": { description: "signed out (also when nobody was)" },
        "403": error("CROSS_ORIGIN: not sent from this site"),
        "429": RATE_LIMITED,
        "503": UNAVAILABLE,
      },
    },
  },
  "/api/v1/alerts": {
    get: {
      summary: "The latest stock alerts: existing products going low, out of stock, back in stock",
      description: "Events whose previousStockLevel is not null and differs from stockLevel, newest first.",
      tags: ["feed"],
      security: READ_SECURITY,
      parameters: [
        {
          name: "limit",
          in: "query",
          required: false,
          description: "how many alerts",
          schema: jsonSchema(alertsLimitSchema, "output"),
        },
      ],
      responses: {
        "200": { description: "the alerts", content: json("Alerts") },
        "400": error("VALIDATION_FAILED: limit is invalid"),
        "401": READ_401,
        "429": RATE_LIMITED,
        "503": UNAVAILABLE,
      },
    },
  },
  ...WEBHOOK_PATHS,
  "/api/v1/openapi.json": {
    get: {
      summary: "This document",
      tags: ["meta"],
      security: [{}],
      responses: {
        "200": {
          description: "the OpenAPI 3.1 document",
          content: { "application/json": { schema: { type: "object" } } },
        },
        "429": RATE_LIMITED,
      },
    },
  },
  "/api/health": {
    get: {
      summary: "Readiness with details, for people",
      tags: ["health"],
      security: [{}],
      responses: {
        "200": { description: "ready", content: json("Health") },
        "503": {
          description: "degraded: the database or the feed's listener is away, or draining",
          content: json("Health"),
        },
      },
    },
  },
  "/api/health/live": {
    get: {
      summary: "Liveness probe: the process answers",
      tags: ["health"],
      security: [{}],
      responses: { "200": { description: "alive", content: json("Live") } },
    },
  },
  "/api/health/ready": {
    get: {
      summary: "Readiness probe: route traffic here only while 200",
      tags: ["health"],
      security: [{}],
      responses: {
        "200": { description: "ready", content: json("Ready") },
        "503": { description: "not ready", content: json("Ready") },
      },
    },
  },
  "/api/metrics": {
    get: {
      summary: "Prometheus metrics (with METRICS_TOKEN)",
      description: "Off (404) unless METRICS_TOKEN is set; then it needs Authorization: Bearer <METRICS_TOKEN>.",
      tags: ["health"],
      security: [{ metricsToken: [] }],
      responses: {
        "200": { description: "Prometheus text format", content: { "text/plain": { schema: { type: "string" } } } },
        "401": error("UNAUTHENTICATED: no or a wrong METRICS_TOKEN"),
        "404": error("NOT_FOUND: METRICS_TOKEN is not set"),
      },
    },
  },
};

export type OpenApiDocument = {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
  [key: string]: unknown;
};

let built: OpenApiDocument | undefined;

/** The document; built once (it depends on code only, not on the request or the configuration). */
export function openApiDocument(): OpenApiDocument {
  built ??= {
    openapi: "3.1.1",
    info: {
      title: "StockPulse API",
      version: "1",
      description:
        "Live stock and prices: products, their history and the SSE feed. All JSON; money is integer minor units of DISPLAY_CURRENCY (cents for EUR, whole yen for JPY). The prose contract is docs/api.md in the repository.",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    servers: [{ url: "/" }],
    tags: [
      { name: "products", description: "products, their history and writes" },
      { name: "history", description: "the audit trail: every change, who and why, filtered and paged; CSV export" },
      { name: "feed", description: "the live feed (Server-Sent Events)" },
      { name: "session", description: "staff sign-in for browsers" },
      { name: "webhooks", description: "pushing the event log to other systems' endpoints (admin)" },
      { name: "health", description: "probes and metrics" },
      { name: "meta", description: "this document" },
    ],
    paths: PATHS,
    components: {
      schemas: { ...components(REQUEST_BODIES, "input"), ...components(RESPONSES, "output") },
      securitySchemes: {
        adminToken: {
          type: "http",
          scheme: "bearer",
          description:
            "an admin token (ADMIN_API_TOKEN, ADMIN_API_TOKENS): reads and writes; the audit trail records api:<name>",
        },
        readToken: {
          type: "http",
          scheme: "bearer",
          description: "a read-only token (READ_API_TOKENS): reads, including actor and reason; writes get 403",
        },
        session: {
          type: "apiKey",
          in: "cookie",
          name: "stockpulse_session",
          description:
            "a signed-in staff member's browser session (POST /api/v1/session); writes need this site's Origin",
        },
        metricsToken: { type: "http", scheme: "bearer", description: "METRICS_TOKEN, for /api/metrics only" },
      },
    },
  };
  return built;
}
