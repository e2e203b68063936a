"use client";
// Stock alerts beside the dashboard's table: products going low, out of stock and back in
// stock, newest first, live from the browser's shared feed (lib/client/shared-feed.ts), with
// how many arrived since the user last marked them read (kept in this browser). Staff notice an
// empty shelf without watching 5,000 rows.
import Link from "next/link";
import { useEffect, useState, useSyncExternalStore } from "react";
import { useDateDisplay } from "@/components/money";
import { sharedFeed } from "@/lib/client/shared-feed";
import type { FeedEvent } from "@/lib/events/feed-event";
import { isStockAlert } from "@/lib/events/stock-alert";
import { formatDateTime } from "@/lib/display-format";

const SHOWN = 20;
const SEEN_KEY = "stockpulse-alerts-seen";

type Level = FeedEvent["stockLevel"];

function describe(level: Level, previous: Level | null): { text: string; tone: string } {
  if (level === "out") return { text: "Out of stock", tone: "text-red-700 dark:text-red-400" };
  if (previous === "out") return { text: "Back in stock", tone: "text-emerald-700 dark:text-emerald-400" };
  if (level === "low") return { text: "Low stock", tone: "text-amber-700 dark:text-amber-400" };
  return { text: "Stock recovered", tone: "text-emerald-700 dark:text-emerald-400" };
}

// The newest alert id this browser has seen, in localStorage: shared by its tabs ("storage"
// events) and kept across visits.
const seenListeners = new Set<() => void>();

function subscribeSeen(onChange: () => void) {
  seenListeners.add(onChange);
  window.addEventListener("storage", onChange);
  return () => {
    seenListeners.delete(onChange);
    window.removeEventListener("storage", onChange);
  };
}

function readSeen(): string | null {
  try {
    const stored = window.localStorage.getItem(SEEN_KEY);
    return stored !== null && /^\d+$/.test(stored) ? stored : null;
  } catch {
    return null;
  }
}

function writeSeen(eventId: string) {
  try {
    window.localStorage.setItem(SEEN_KEY, eventId);
  } catch {
    // storage refused (private mode): nothing to keep
  }
  seenListeners.forEach((listener) => listener());
}

/** Both lists' alerts, each once, newest first, as many as are shown. */
function mergeAlerts(current: FeedEvent[], more: FeedEvent[]): FeedEvent[] {
  const byId = new Map([...current, ...more].map((alert) => [alert.eventId, alert]));
  return [...byId.values()].sort((a, b) => (BigInt(b.eventId) > BigInt(a.eventId) ? 1 : -1)).slice(0, SHOWN);
}

/** The server's latest alerts of one product (empty when they cannot be read now). */
async function alertsOf(productId: number): Promise<FeedEvent[]> {
  try {
    const response = await fetch(`/api/v1/alerts?limit=${SHOWN}`, { cache: "no-store" });
    if (!response.ok) return [];
    const { alerts } = (await response.json()) as { alerts: FeedEvent[] };
    return alerts.filter((alert) => alert.productId === productId);
  } catch {
    return [];
  }
}

export function AlertsPanel({ initial, lastEventId }: { initial: FeedEvent[]; lastEventId: string }) {
  const display = useDateDisplay();
  const [alerts, setAlerts] = useState(initial);
  const newestAtLoad = initial[0]?.eventId ?? "0";
  // undefined while rendering on the server and hydrating: nothing counts as unread yet.
  const stored = useSyncExternalStore(subscribeSeen, readSeen, () => undefined);
  // A first visit has seen what the page arrived with; only what comes after is news.
  const seen = stored === undefined ? null : BigInt(stored ?? newestAtLoad);

  useEffect(() => {
    if (readSeen() === null) writeSeen(newestAtLoad);
    return sharedFeed(lastEventId).subscribe({
      event: (event) => {
        // An archived product is off the shelf: its alerts go with it (the server's list agrees).
        if (event.kind === "archived") {
          setAlerts((current) => current.filter((alert) => alert.productId !== event.productId));
          return;
        }
        // Restored, it is back on the shelf and its alerts with it (the server's list has them again).
        if (event.kind === "restored") {
          void alertsOf(event.productId).then((back) => {
            if (back.length > 0) setAlerts((current) => mergeAlerts(current, back));
          });
          return;
        }
        if (!isStockAlert(event)) return;
        setAlerts((current) =>
          current.some((alert) => alert.eventId === event.eventId) ? current : [event, ...current].slice(0, SHOWN),
        );
      },
      // The table reloads its snapshot; the alerts already shown stay true.
      reset: () => {},
      state: () => {},
    });
    // Once per mount, from the server-rendered page's event id (as the table does).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const unread = seen === null ? 0 : alerts.filter((alert) => BigInt(alert.eventId) > seen).length;

  const markRead = () => writeSeen(alerts[0]?.eventId ?? "0");

  return (
    <aside
      aria-labelledby="alerts-heading"
      data-testid="alerts-panel"
      className="rounded-lg border border-slate-200 bg-white p-4 xl:sticky xl:top-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex items-center justify-between gap-2">
        <h2 id="alerts-heading" className="flex items-center gap-2 font-semibold">
          <svg aria-hidden viewBox="0 0 20 20" fill="currentColor" className="h-4 w-4 text-slate-500">
            <path d="M10 2a6 6 0 0 0-6 6v3.59l-1.7 1.7A1 1 0 0 0 3 15h14a1 1 0 0 0 .7-1.71L16 11.59V8a6 6 0 0 0-6-6Zm0 16a3 3 0 0 0 2.83-2H7.17A3 3 0 0 0 10 18Z" />
          </svg>
          Stock alerts
        </h2>
        <span role="status" data-testid="alerts-unread" className="text-sm">
          {unread > 0 ? (
            <span className="rounded-full bg-red-600 px-2 py-0.5 text-xs font-semibold text-white">
              {unread} unread
            </span>
          ) : (
            <span className="text-slate-500 dark:text-slate-400">none unread</span>
          )}
        </span>
      </div>
      {alerts.length === 0 ? (
        <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">
          No stock alerts lately. Products that go low, run out or come back in stock show here as it happens.
        </p>
      ) : (
        <ol className="mt-3 max-h-48 space-y-2 overflow-y-auto text-sm xl:max-h-[70vh]" data-testid="alerts-list">
          {alerts.map((alert) => {
            const { text, tone } = describe(alert.stockLevel, alert.previousStockLevel);
            const fresh = seen !== null && BigInt(alert.eventId) > seen;
            return (
              <li
                key={alert.eventId}
                className="border-t border-slate-100 pt-2 first:border-0 first:pt-0 dark:border-slate-800"
              >
                <p className={`font-medium ${tone}`}>
                  {text}
                  {fresh && <span className="sr-only"> (unread)</span>}
                </p>
                <p>
                  <Link href={`/products/${alert.productId}`} className="underline">
                    {alert.name}
                  </Link>{" "}
                  <span className="text-slate-500 dark:text-slate-400">· {alert.newStock} left</span>
                </p>
                <p className="text-xs text-slate-500 dark:text-slate-400">
                  <time dateTime={alert.at}>{formatDateTime(display, Date.parse(alert.at))}</time>
                </p>
              </li>
            );
          })}
        </ol>
      )}
      {unread > 0 && (
        <button type="button" onClick={markRead} className="mt-3 text-sm underline">
          Mark all read
        </button>
      )}
    </aside>
  );
}
