"use client";
// A subscription's delivery log, newest first: when, which events, the answer, how long it took
// and the start of the response. Older pages load on request.
import { useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { useDateDisplay } from "@/components/money";
import { fetchOlderDeliveries, type DeliveryPage } from "@/components/webhooks/use-webhook";
import { formatDateTime } from "@/lib/display-format";
import type { WebhookDeliveryDto } from "@/lib/webhooks/dto";

function events(delivery: WebhookDeliveryDto) {
  if (delivery.test) return "test event";
  const range =
    delivery.firstEventId === delivery.lastEventId
      ? delivery.firstEventId
      : `${delivery.firstEventId}–${delivery.lastEventId}`;
  return `${range} (${delivery.eventCount})`;
}

function answer(delivery: WebhookDeliveryDto) {
  if (delivery.statusCode !== null) return `${delivery.ok ? "OK" : "Failed"}: HTTP ${delivery.statusCode}`;
  return `Failed: ${delivery.error ?? "no answer"}`;
}

export function DeliveryLog({ id, page }: { id: number; page: DeliveryPage }) {
  const display = useDateDisplay();
  const [older, setOlder] = useState<WebhookDeliveryDto[]>([]);
  const [nextBefore, setNextBefore] = useState<string | null | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const cursor = nextBefore === undefined ? page.nextBefore : nextBefore;
  const rows = [...page.deliveries, ...older.filter((row) => !page.deliveries.some((shown) => shown.id === row.id))];

  async function showOlder() {
    if (!cursor || loading) return;
    setLoading(true);
    try {
      const more = await fetchOlderDeliveries(id, cursor);
      setOlder((current) => [...current, ...more.deliveries]);
      setNextBefore(more.nextBefore);
    } finally {
      setLoading(false);
    }
  }

  return (
    <section aria-labelledby="delivery-log-heading" className="space-y-3">
      <h2 id="delivery-log-heading" className="text-lg font-semibold">
        Delivery log
      </h2>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Nothing delivered yet. Deliveries show here as changes happen; send a test event to try the endpoint now.
        </p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <table className="w-full text-sm" data-testid="delivery-log">
            <thead className="bg-slate-100 text-left dark:bg-slate-800">
              <tr>
                <th scope="col" className="px-3 py-2">
                  When
                </th>
                <th scope="col" className="px-3 py-2">
                  Events
                </th>
                <th scope="col" className="px-3 py-2">
                  Result
                </th>
                <th scope="col" className="px-3 py-2 text-right">
                  Latency
                </th>
                <th scope="col" className="px-3 py-2">
                  Response
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((delivery) => (
                <tr key={delivery.id} className="border-t border-slate-100 align-top dark:border-slate-800">
                  <td className="px-3 py-2 whitespace-nowrap">
                    <time dateTime={delivery.at}>{formatDateTime(display, Date.parse(delivery.at))}</time>
                  </td>
                  <td className="px-3 py-2 tabular-nums">{events(delivery)}</td>
                  <td
                    className={`px-3 py-2 ${delivery.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-400"}`}
                  >
                    {answer(delivery)}
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">{delivery.latencyMs} ms</td>
                  <td className="max-w-xs px-3 py-2 font-mono text-xs break-all">{delivery.responseExcerpt}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <BusyButton
          type="button"
          onClick={showOlder}
          busy={loading}
          busyText="Loading older…"
          className="rounded border px-3 py-1 text-sm disabled:opacity-50"
        >
          Show older
        </BusyButton>
      )}
    </section>
  );
}
