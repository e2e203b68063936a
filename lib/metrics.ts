// Prometheus metrics of this instance (GET /api/metrics): the feed's streams and deliveries,
// replays, slow clients dropped, listener reconnects, webhook deliveries, rows read by CSV exports and
// exports cut, stream slots and the stream limit, plus prom-client's Node.js process metrics.
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import { feedEngine } from "@/lib/events/engine";
import { openStreamSlots, streamLimit } from "@/lib/http/request-limits";
import { csvExportsStalled, csvRowsRead } from "@/lib/products/csv";
import { webhookDeliveryCounts } from "@/lib/webhooks/deliverer";

function createRegistry() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const engine = () => feedEngine();
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  // The engine keeps plain counts on its hot path; the counters copy them when scraped.
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });

  gauge("stockpulse_open_streams", "SSE streams open on this instance", () => engine().hub.size);
  gauge("stockpulse_listener_connected", "1 when the LISTEN connection is up", () =>
    engine().listener.state === "listening" ? 1 : 0,
  );
  gauge(
    "stockpulse_replay_reads_waiting",
    "Reads of the event log by catching-up streams waiting for a turn of the replay budget",
    () => engine().replayBudget.queued,
  );
  gauge(
    "stockpulse_replay_writes_waiting",
    "Chunks of catching-up streams waiting for a later turn of the event loop (replay bytes per turn are bounded)",
    () => engine().replayTurns.queued,
  );
  counter("stockpulse_events_delivered_total", "Events written to SSE streams", () => engine().metrics.eventsDelivered);
  counter("stockpulse_streams_opened_total", "SSE streams opened", () => engine().metrics.streamsOpened);
  counter("stockpulse_replays_total", "Streams that resumed from a Last-Event-ID", () => engine().metrics.replays);
  counter(
    "stockpulse_slow_clients_dropped_total",
    "Streams closed because the client stopped reading",
    () => engine().metrics.slowClientsDropped,
  );
  counter(
    "stockpulse_clients_behind_total",
    "Times a live stream fell behind its buffer limit and caught up at its own pace",
    () => engine().metrics.clientsBehind,
  );
  counter(
    "stockpulse_listener_reconnects_total",
    "Reconnects of the LISTEN connection",
    () => engine().metrics.listenerReconnects,
  );
  counter(
    "stockpulse_webhook_events_delivered_total",
    "Events acknowledged by webhook endpoints",
    () => webhookDeliveryCounts().delivered,
  );
  counter(
    "stockpulse_webhook_delivery_failures_total",
    "Webhook requests that failed (error, timeout or non-2xx answer)",
    () => webhookDeliveryCounts().failures,
  );
  counter("stockpulse_csv_rows_read_total", "Rows CSV exports have read from the database", csvRowsRead);
  counter(
    "stockpulse_csv_exports_stalled_total",
    "CSV exports cut because their client took nothing for EXPORT_STALL_TIMEOUT_MS",
    csvExportsStalled,
  );
  gauge("stockpulse_stream_slots_in_use", "Feed streams and CSV exports holding a stream slot", openStreamSlots);
  gauge(
    "stockpulse_stream_limit",
    "Feed streams and CSV exports this instance holds at once (MAX_OPEN_STREAMS or derived from the open-file limit)",
    () => streamLimit().maxStreams,
  );
  return registry;
}

const globalForMetrics = globalThis as unknown as { stockpulseMetrics?: Registry };

export function metricsRegistry(): Registry {
  globalForMetrics.stockpulseMetrics ??= createRegistry();
  return globalForMetrics.stockpulseMetrics;
}
