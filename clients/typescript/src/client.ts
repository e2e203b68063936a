// Typed calls for every route of the StockPulse API. Writes carry an Idempotency-Key made once
// per call and sent again on each retry, so a retried write applies once (docs/api.md).
import type {
  ArchivedFilter,
  ArchiveRequest,
  BulkAdjustment,
  BulkAdjustmentResult,
  CreatedWebhook,
  DeliveryPage,
  ErrorBody,
  FeedEvent,
  Health,
  HistoryEntry,
  ImportKind,
  ImportOptions,
  ImportPreview,
  ImportResult,
  HistoryPage,
  HistoryQuery,
  NewProduct,
  Product,
  ProductChanges,
  ProductSnapshot,
  SessionUser,
  StockAdjustment,
  Stocktake,
  StocktakeResult,
  Webhook,
  WebhookChanges,
  WebhookDelivery,
  NewWebhook,
} from "./types.js";

export type ClientOptions = {
  /** Where StockPulse answers, e.g. https://stock.example.com (in a browser on the same site: ""). */
  baseUrl: string;
  /** An admin or read token (Authorization: Bearer). Without one, a browser sends its session cookie. */
  token?: string;
  /** How often a request is retried after a network error, a 503 or 409 IDEMPOTENCY_IN_PROGRESS. Default 4. */
  retries?: number;
  /** The first retry's delay; each further one doubles it (Retry-After wins when longer). Default 250 ms. */
  retryDelayMs?: number;
  /** The longest delay between retries. Default 10 s. */
  maxRetryDelayMs?: number;
  /** A fetch of your own (tests, instrumentation). Default: the global fetch. */
  fetch?: typeof fetch;
};

/** An answer of the API outside 2xx, with its error code (docs/api.md lists them). */
export class StockPulseError extends Error {
  readonly status: number;
  readonly code: string;
  readonly body: ErrorBody | null;

  constructor(status: number, body: ErrorBody | null) {
    super(body?.error.message ?? `StockPulse answered ${status}`);
    this.name = "StockPulseError";
    this.status = status;
    this.code = body?.error.code ?? `HTTP_${status}`;
    this.body = body;
  }
}

export type WriteOptions = {
  /** Reuse a key of your own (e.g. kept across a restart of your process); default: a new random one. */
  idempotencyKey?: string;
  signal?: AbortSignal;
};

type Request = {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  body?: unknown;
  /** A CSV file sent as is (text/csv) instead of a JSON body. */
  csv?: string | Blob | Uint8Array<ArrayBuffer>;
  idempotencyKey?: string;
  signal?: AbortSignal;
};

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener("abort", abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal!.reason);
    }
    signal?.addEventListener("abort", abort, { once: true });
  });

/** Whether an answer is worth trying again with the same request (and key). */
function retryable(status: number, body: ErrorBody | null): boolean {
  return status === 503 || (status === 409 && body?.error.code === "IDEMPOTENCY_IN_PROGRESS");
}

/** The import choices given, as query parameters (the server's defaults stand for the others). */
const importChoices = ({ unknownSkus, conflicts }: ImportOptions): Record<string, string> => ({
  ...(unknownSkus === undefined ? {} : { unknownSkus }),
  ...(conflicts === undefined ? {} : { conflicts }),
});

export class StockPulseClient {
  readonly baseUrl: string;
  private readonly options: Required<Omit<ClientOptions, "token" | "fetch">> & Pick<ClientOptions, "token">;
  /** The fetch every request goes through (the subscription's too). */
  readonly fetch: typeof fetch;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, "");
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.options = {
      baseUrl: this.baseUrl,
      token: options.token,
      retries: options.retries ?? 4,
      retryDelayMs: options.retryDelayMs ?? 250,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 10_000,
    };
  }

  /** The longest wait between retries (also between the subscription's reconnects while the server is away). */
  get maxRetryDelayMs(): number {
    return this.options.maxRetryDelayMs;
  }

  /** The headers every request carries: the token, when there is one. */
  authHeaders(): Record<string, string> {
    return this.options.token ? { authorization: `Bearer ${this.options.token}` } : {};
  }

  /** The delay before retry number `attempt` (0-based), at least what Retry-After asked for. */
  retryDelay(attempt: number, retryAfter?: string | null): number {
    const backoff = Math.min(this.options.retryDelayMs * 2 ** attempt, this.options.maxRetryDelayMs);
    const asked = retryAfter ? Number(retryAfter) * 1000 : 0;
    return Math.max(backoff, Number.isFinite(asked) ? Math.min(asked, this.options.maxRetryDelayMs) : 0);
  }

  private async request<T>({ method, path, body, csv, idempotencyKey, signal }: Request): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json", ...this.authHeaders() };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (csv !== undefined) headers["content-type"] = "text/csv";
    if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await this.fetch(`${this.baseUrl}${path}`, {
          method,
          headers,
          body: csv ?? (body === undefined ? undefined : JSON.stringify(body)),
          credentials: "same-origin",
          signal,
        });
      } catch (error) {
        // A network error: the request may or may not have reached the server. Reads are safe to
        // repeat, and writes carry the same Idempotency-Key, so the server applies them once.
        if (signal?.aborted || attempt >= this.options.retries) throw error;
        await sleep(this.retryDelay(attempt), signal);
        continue;
      }
      const text = await response.text();
      const parsed: unknown = text ? JSON.parse(text) : null;
      if (response.ok) return parsed as T;
      const errorBody = parsed as ErrorBody | null;
      if (retryable(response.status, errorBody) && attempt < this.options.retries) {
        await sleep(this.retryDelay(attempt, response.headers.get("retry-after")), signal);
        continue;
      }
      throw new StockPulseError(response.status, errorBody);
    }
  }

  private write<T>(
    method: "POST" | "PATCH",
    path: string,
    body: unknown | undefined,
    options: WriteOptions = {},
  ): Promise<T> {
    const idempotencyKey = options.idempotencyKey ?? globalThis.crypto.randomUUID();
    return this.request<T>({ method, path, body, idempotencyKey, signal: options.signal });
  }

  // ---- products ----

  /**
   * The active products (or with `archived` "true" the archived ones, "all" both), and the id of
   * the last event the list reflects (subscribe from it).
   */
  listProducts(signal?: AbortSignal, archived: ArchivedFilter = "false"): Promise<ProductSnapshot> {
    const query = archived === "false" ? "" : `?archived=${archived}`;
    return this.request({ method: "GET", path: `/api/v1/products${query}`, signal });
  }

  /** The product whose sku is exactly `sku` (case and whitespace count), archived or not, or null. */
  async findProductBySku(sku: string, signal?: AbortSignal): Promise<Product | null> {
    const { products } = await this.request<ProductSnapshot>({
      method: "GET",
      path: `/api/v1/products?sku=${encodeURIComponent(sku)}&archived=all`,
      signal,
    });
    return products.find((product) => product.sku === sku) ?? null;
  }

  getProduct(id: number, signal?: AbortSignal): Promise<Product> {
    return this.request({ method: "GET", path: `/api/v1/products/${id}`, signal });
  }

  /** The product's recent changes, newest first (actor and reason for staff and tokens only). */
  async productHistory(id: number, options: { limit?: number; signal?: AbortSignal } = {}): Promise<HistoryEntry[]> {
    const query = options.limit === undefined ? "" : `?limit=${options.limit}`;
    const { events } = await this.request<{ events: HistoryEntry[] }>({
      method: "GET",
      path: `/api/v1/products/${id}/events${query}`,
      signal: options.signal,
    });
    return events;
  }

  /** A page of the shop's history (or one product's), newest first, filtered; page on with its cursors. */
  history(query: HistoryQuery = {}, signal?: AbortSignal): Promise<HistoryPage> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query) as Array<[string, unknown]>) {
      if (value === undefined) continue;
      search.set(name, Array.isArray(value) ? value.join(",") : String(value));
    }
    const text = search.size ? `?${search}` : "";
    return this.request({ method: "GET", path: `/api/v1/events${text}`, signal });
  }

  createProduct(product: NewProduct, options?: WriteOptions): Promise<Product> {
    return this.write("POST", "/api/v1/products", product, options);
  }

  updateProduct(id: number, changes: ProductChanges, options?: WriteOptions): Promise<Product> {
    return this.write("PATCH", `/api/v1/products/${id}`, changes, options);
  }

  adjustStock(id: number, adjustment: StockAdjustment, options?: WriteOptions): Promise<Product> {
    return this.write("POST", `/api/v1/products/${id}/stock-adjustments`, adjustment, options);
  }

  /** Archives a product: it leaves the default list and takes no writes until restored (409 ALREADY_ARCHIVED if it is). */
  archiveProduct(id: number, archive: ArchiveRequest = {}, options?: WriteOptions): Promise<Product> {
    return this.write("POST", `/api/v1/products/${id}/archive`, archive, options);
  }

  /** Restores an archived product (409 NOT_ARCHIVED if it is active). */
  restoreProduct(id: number, restore: ArchiveRequest = {}, options?: WriteOptions): Promise<Product> {
    return this.write("POST", `/api/v1/products/${id}/restore`, restore, options);
  }

  /** Up to 1,000 stock adjustments, all or nothing. */
  adjustStockInBulk(adjustments: BulkAdjustment, options?: WriteOptions): Promise<BulkAdjustmentResult> {
    return this.write("POST", "/api/v1/stock-adjustments", adjustments, options);
  }

  /** Up to 1,000 absolute counts, all or nothing. */
  stocktake(stocktake: Stocktake, options?: WriteOptions): Promise<StocktakeResult> {
    return this.write("POST", "/api/v1/stocktakes", stocktake, options);
  }

  // ---- CSV import ----

  /**
   * What a stocktake (`sku,count`) or price list (`sku,price`) CSV, or a product export, would
   * change, line by line, with these options; changes nothing.
   */
  previewImport(
    kind: ImportKind,
    csv: string | Blob | Uint8Array<ArrayBuffer>,
    options: AbortSignal | (ImportOptions & { signal?: AbortSignal }) = {},
  ): Promise<ImportPreview> {
    const { signal, ...choices } = options instanceof AbortSignal ? { signal: options } : options;
    const query = new URLSearchParams({ kind, ...importChoices(choices) });
    return this.request({ method: "POST", path: `/api/v1/imports/preview?${query}`, csv, signal });
  }

  /**
   * Applies a stocktake or price list CSV, all or nothing, with one reason. Pass the preview's
   * `asOf` to be refused (409 PREVIEW_STALE) if a product of an unguarded row changed after the
   * preview; `unknownSkus: "skip"` and `conflicts: "skip"` leave such rows out (else 400, 409).
   */
  applyImport(
    kind: ImportKind,
    csv: string | Blob | Uint8Array<ArrayBuffer>,
    {
      reason,
      asOf,
      unknownSkus,
      conflicts,
      ...options
    }: WriteOptions & ImportOptions & { reason: string; asOf?: string },
  ): Promise<ImportResult> {
    const query = new URLSearchParams({
      kind,
      reason,
      ...(asOf === undefined ? {} : { asOf }),
      ...importChoices({ unknownSkus, conflicts }),
    });
    const idempotencyKey = options.idempotencyKey ?? globalThis.crypto.randomUUID();
    return this.request({
      method: "POST",
      path: `/api/v1/imports?${query}`,
      csv,
      idempotencyKey,
      signal: options.signal,
    });
  }

  // ---- stock alerts ----

  /** The latest stock level changes (low, out, back in stock) of existing products, newest first. */
  async listAlerts(options: { limit?: number; signal?: AbortSignal } = {}): Promise<FeedEvent[]> {
    const query = options.limit === undefined ? "" : `?limit=${options.limit}`;
    const { alerts } = await this.request<{ alerts: FeedEvent[] }>({
      method: "GET",
      path: `/api/v1/alerts${query}`,
      signal: options.signal,
    });
    return alerts;
  }

  // ---- webhooks (admin) ----

  /** Every webhook subscription, without secrets. */
  async listWebhooks(signal?: AbortSignal): Promise<Webhook[]> {
    return (await this.request<{ webhooks: Webhook[] }>({ method: "GET", path: "/api/v1/webhooks", signal })).webhooks;
  }

  /** Subscribes a URL; the answer holds the signing secret, shown this once (a retry with the same key gets it again). */
  createWebhook(webhook: NewWebhook, options?: WriteOptions): Promise<CreatedWebhook> {
    return this.write("POST", "/api/v1/webhooks", webhook, options);
  }

  getWebhook(id: number, signal?: AbortSignal): Promise<Webhook> {
    return this.request({ method: "GET", path: `/api/v1/webhooks/${id}`, signal });
  }

  /** Changes the URL, kinds or products, or pauses (status "paused") or resumes (status "active"). */
  updateWebhook(id: number, changes: WebhookChanges, options?: WriteOptions): Promise<Webhook> {
    return this.write("PATCH", `/api/v1/webhooks/${id}`, changes, options);
  }

  pauseWebhook(id: number, options?: WriteOptions): Promise<Webhook> {
    return this.updateWebhook(id, { status: "paused" }, options);
  }

  resumeWebhook(id: number, options?: WriteOptions): Promise<Webhook> {
    return this.updateWebhook(id, { status: "active" }, options);
  }

  /** Unsubscribes, with the delivery log. */
  async deleteWebhook(id: number, signal?: AbortSignal): Promise<void> {
    await this.request({ method: "DELETE", path: `/api/v1/webhooks/${id}`, signal });
  }

  /** Delivers again from a retained event id on (else 409 EVENT_NOT_RETAINED). */
  replayWebhook(id: number, fromEventId: string, options?: WriteOptions): Promise<Webhook> {
    return this.write("POST", `/api/v1/webhooks/${id}/replay`, { fromEventId }, options);
  }

  /** Sends a signed test request now and answers its log entry (a retry with the same key does not send again). */
  testWebhook(id: number, options?: WriteOptions): Promise<WebhookDelivery> {
    return this.write("POST", `/api/v1/webhooks/${id}/test`, undefined, options);
  }

  /** One page of the delivery log, newest first; pass the page's nextBefore as `before` for the next one. */
  webhookDeliveries(
    id: number,
    options: { limit?: number; before?: string; signal?: AbortSignal } = {},
  ): Promise<DeliveryPage> {
    const query = new URLSearchParams();
    if (options.limit !== undefined) query.set("limit", String(options.limit));
    if (options.before !== undefined) query.set("before", options.before);
    const search = query.size ? `?${query}` : "";
    return this.request({ method: "GET", path: `/api/v1/webhooks/${id}/deliveries${search}`, signal: options.signal });
  }

  // ---- browser sessions (cookies: same site only) ----

  async signIn(email: string, password: string): Promise<{ user: SessionUser; expiresAt: string }> {
    return this.request({ method: "POST", path: "/api/v1/session", body: { email, password } });
  }

  /** Who is signed in; StockPulseError 401 when nobody. */
  async session(): Promise<SessionUser> {
    return (await this.request<{ user: SessionUser }>({ method: "GET", path: "/api/v1/session" })).user;
  }

  async signOut(): Promise<void> {
    await this.request({ method: "DELETE", path: "/api/v1/session" });
  }

  // ---- health and the contract ----

  health(): Promise<Health> {
    return this.request({ method: "GET", path: "/api/health" });
  }

  live(): Promise<{ status: "ok" }> {
    return this.request({ method: "GET", path: "/api/health/live" });
  }

  ready(): Promise<{ status: "ready" | "not ready"; database: string; listener: string; draining: boolean }> {
    return this.request({ method: "GET", path: "/api/health/ready" });
  }

  /** Prometheus text; needs a client made with `token` set to METRICS_TOKEN. */
  async metrics(): Promise<string> {
    const response = await this.fetch(`${this.baseUrl}/api/metrics`, { headers: this.authHeaders() });
    const text = await response.text();
    if (!response.ok) throw new StockPulseError(response.status, text ? (JSON.parse(text) as ErrorBody) : null);
    return text;
  }

  /** The OpenAPI 3.1 document of this server. */
  openApiDocument(): Promise<Record<string, unknown>> {
    return this.request({ method: "GET", path: "/api/v1/openapi.json" });
  }
}
