"use client";
// One subscription and its delivery log as the admin page shows them: SWR over the webhook API,
// refreshed every few seconds (deliveries happen on the server without a feed of their own)
// and at once after each action.
import useSWR from "swr";
import type { DeliveryPage, WebhookDto } from "@/lib/webhooks/dto";

export type { DeliveryPage };

const REFRESH_MS = 2_000;

async function fetchJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`Loading ${url} failed (${response.status})`);
  return response.json();
}

export function useWebhook(initial: WebhookDto) {
  return useSWR(`/api/v1/webhooks/${initial.id}`, fetchJson<WebhookDto>, {
    fallbackData: initial,
    refreshInterval: REFRESH_MS,
  });
}

export function useDeliveries(id: number, initial: DeliveryPage) {
  return useSWR(`/api/v1/webhooks/${id}/deliveries?limit=20`, fetchJson<DeliveryPage>, {
    fallbackData: initial,
    refreshInterval: REFRESH_MS,
  });
}

/** An older page of the log (the "Show older" button). */
export const fetchOlderDeliveries = (id: number, before: string) =>
  fetchJson<DeliveryPage>(`/api/v1/webhooks/${id}/deliveries?limit=20&before=${before}`);
