// The API's shapes (docs/api.md, /api/v1/openapi.json). The repository's tests check that these
// match the server's zod schemas (tests/client-types.ts) and real answers (tests/client.test.ts).

export type StockLevel = "ok" | "low" | "out";
export type EventKind = "created" | "stock" | "price" | "update" | "archived" | "restored";

export type Product = {
  id: number;
  sku: string;
  name: string;
  /** Whole minor units of the shop's DISPLAY_CURRENCY: cents for EUR, yen for JPY (1500 is ¥1,500). */
  priceCents: number;
  stock: number;
  lowStockThreshold: number;
  /** Goes up by one with every change; send it as expectedVersion. */
  version: number;
  updatedAt: string;
  /** When the product was archived (it takes no writes and leaves the default list); null: active. */
  archivedAt: string | null;
};

export type ProductSnapshot = {
  products: Product[];
  /** The last event this list reflects: the feed resumes from it. */
  lastEventId: string;
};

/** One field a change changed: its value before (null for `created`) and after. */
export type FieldChange =
  | { field: "name"; before: string | null; after: string }
  | { field: "sku"; before: string | null; after: string }
  /** Whole minor units of the shop's DISPLAY_CURRENCY. */
  | { field: "priceCents"; before: number | null; after: number }
  | { field: "stock"; before: number | null; after: number }
  | { field: "lowStockThreshold"; before: number | null; after: number };

/**
 * The fields a change changed, in the order name, sku, priceCents, stock, lowStockThreshold:
 * only those that differ (none for `archived` and `restored`), every field for `created`; null
 * when not known (an old event whose product's earlier history is no longer kept).
 */
export type Changes = FieldChange[] | null;

export type HistoryEntry = {
  eventId: string;
  productId: number;
  kind: EventKind;
  stock: number;
  priceCents: number;
  lowStockThreshold: number;
  sku: string;
  name: string;
  version: number;
  delta: number | null;
  /** The stock level after the change. */
  stockLevel: StockLevel;
  /** The level before it (null for `created`): a threshold event when the two differ. */
  previousStockLevel: StockLevel | null;
  /** What the change changed, field by field, before and after. */
  changes: Changes;
  /** Staff and tokens only. */
  reason?: string | null;
  /** Staff and tokens only: a user's email or api:<token name>. */
  actor?: string;
  at: string;
};

/** A page of the history, newest first, with the cursors of the pages beside it. */
export type HistoryPage = {
  events: HistoryEntry[];
  /** Pass as `before` for the next older page; null when nothing older matches. */
  nextBefore: string | null;
  /** Pass as `after` for the next newer page; null when nothing newer matches or the page is empty. */
  nextAfter: string | null;
};

/** Filters and cursor of `history()` (all optional; dates: ISO 8601 with offset, or a UTC day). */
export type HistoryQuery = {
  productId?: number;
  /**
   * Staff and tokens only. In any case: a whole email or api:<token name> selects that one,
   * other text every actor containing it.
   */
  actor?: string;
  /** Staff and tokens only. The whole reason, in any case. */
  reason?: string;
  kind?: EventKind[];
  /** Inclusive; a date alone is that UTC day's start. */
  from?: string;
  /** Exclusive; a date alone includes that whole UTC day. */
  to?: string;
  before?: string;
  after?: string;
  limit?: number;
};

/** One change on the feed. */
export type FeedEvent = {
  eventId: string;
  productId: number;
  newStock: number;
  /** Whole minor units of the shop's DISPLAY_CURRENCY: cents for EUR, yen for JPY (1500 is ¥1,500). */
  newPrice: number;
  version: number;
  kind: EventKind;
  at: string;
  sku: string;
  name: string;
  lowStockThreshold: number;
  delta: number | null;
  /** The stock level after the change. */
  stockLevel: StockLevel;
  /** The level before it (null for `created`): a threshold event when the two differ. */
  previousStockLevel: StockLevel | null;
  /** What the change changed, field by field, before and after. */
  changes: Changes;
};

export type NewProduct = {
  sku: string;
  name: string;
  priceCents: number;
  stock: number;
  lowStockThreshold?: number;
};

export type ProductChanges = {
  sku?: string;
  name?: string;
  priceCents?: number;
  stock?: number;
  lowStockThreshold?: number;
  /** Apply only at this version (else 409 VERSION_CONFLICT). */
  expectedVersion?: number;
  /**
   * With `stock` (a count): the stock it was counted against; applies only while the stock is
   * still that (else 409 STOCK_CONFLICT), so a sale meanwhile is never undone.
   */
  expectedStock?: number;
  /** With `stock`: why it changed, recorded in the event. */
  reason?: string;
};

export type StockAdjustment = { delta: number; reason?: string };

/** The body of an archive or restore: why (optional). */
export type ArchiveRequest = { reason?: string };

/** Which products a list holds: active ones (the default), archived ones, or both. */
export type ArchivedFilter = "false" | "true" | "all";

/** Names a product by exactly one of its id and its sku. */
export type ProductRef = { productId: number; sku?: never } | { sku: string; productId?: never };

export type BulkAdjustment = {
  reason?: string;
  items: Array<ProductRef & { delta: number; reason?: string }>;
};

export type BulkAdjustmentResult = { products: Product[]; lastEventId: string };

export type Stocktake = {
  reason?: string;
  items: Array<
    ProductRef & {
      count: number;
      expectedVersion?: number;
      /** The stock the count was made against (else 409 STOCK_CONFLICT): a sale meanwhile is never undone. */
      expectedStock?: number;
    }
  >;
};

export type StocktakeResult = { products: Product[]; changed: number; lastEventId: string };

export type ImportKind = "stocktake" | "prices";

/** POST /api/v1/imports/preview: `old`/`new` are stock, or price in the currency's minor units. */
export type ImportPreview = {
  kind: ImportKind;
  currency: string;
  delimiter: "," | ";" | "\t";
  notes: string[];
  ignoredColumns: string[];
  rows: number;
  changes: Array<{
    line: number;
    sku: string;
    productId: number;
    name: string;
    version: number;
    old: number;
    new: number;
  }>;
  unchanged: number;
  /** Rows naming no product, or an archived one. */
  unknown: Array<{ line: number; sku: string; message: string }>;
  /** Edited rows whose expectedStock/expectedPrice is no longer the product's value: `current` moved since. */
  conflicts: Array<{
    line: number;
    sku: string;
    productId: number;
    name: string;
    expected: number;
    current: number;
    new: number;
  }>;
  invalid: Array<{ line: number; column: string; value: string; message: string }>;
  /** The unknown rows and conflicts the apply leaves out (unknownSkus: "skip", conflicts: "skip"). */
  skipped: SkippedImportRow[];
  asOf: string;
  canApply: boolean;
};

export type SkippedImportRow = { line: number; sku: string; reason: "unknown" | "conflict"; message: string };

/** What an import does with unknown skus and conflicts: refuse the file (the default) or skip those rows. */
export type ImportOptions = { unknownSkus?: "refuse" | "skip"; conflicts?: "refuse" | "skip" };

export type ImportResult = {
  kind: ImportKind;
  rows: number;
  changed: number;
  unchanged: number;
  skipped: SkippedImportRow[];
  lastEventId: string;
};

export type Health = {
  status: "ok" | "degraded";
  database: "ok" | "unreachable";
  listener: string;
  draining: boolean;
  openStreams: number;
  feedTransport: "node:http" | "route handler";
  node: string;
};

export type SessionUser = { email: string; role: "admin" | "viewer" };

export type ErrorBody = {
  error: {
    code: string;
    message: string;
    /** The request's id, also in its X-Request-Id header and the server's log: quote it when reporting a problem. */
    requestId: string;
    issues?: Array<{ path: string; message: string }>;
    current?: Product;
    index?: number;
    retryAfterSeconds?: number;
    [detail: string]: unknown;
  };
};

/** Which events a webhook receives: every change, or only stock level changes (low, out, back in stock). */
export type WebhookKinds = "all" | "threshold";

/** A webhook subscription (its secret is shown once, when it is created). */
export type Webhook = {
  id: number;
  url: string;
  kinds: WebhookKinds;
  /** null: every product. */
  productIds: number[] | null;
  status: "active" | "paused";
  pausedReason: string | null;
  /** The last event id the endpoint acknowledged (or the filter passed over). */
  cursor: string;
  failureCount: number;
  failingSince: string | null;
  nextAttemptAt: string;
  lastError: string | null;
  createdBy: string;
  createdAt: string;
};

/** A new subscription with its signing secret (whsec_...), in this answer only: keep it. */
export type CreatedWebhook = Webhook & { secret: string };

export type NewWebhook = {
  url: string;
  /** Default "all". */
  kinds?: WebhookKinds;
  /** Default null: every product. */
  productIds?: number[] | null;
};

/** At least one field: "paused" pauses, "active" resumes. */
export type WebhookChanges = {
  url?: string;
  kinds?: WebhookKinds;
  productIds?: number[] | null;
  status?: "active" | "paused";
};

/** One delivery attempt (or test request) in a webhook's log. */
export type WebhookDelivery = {
  id: string;
  at: string;
  /** A test request: not part of the event order. */
  test: boolean;
  firstEventId: string | null;
  lastEventId: string | null;
  eventCount: number;
  /** A 2xx answer: the cursor moved past lastEventId. */
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  /** At most 200 bytes of the answer. */
  responseExcerpt: string | null;
};

export type DeliveryPage = {
  /** Newest first. */
  deliveries: WebhookDelivery[];
  /** Pass as `before` for the next (older) page; null: no more. */
  nextBefore: string | null;
};
