"use client";
// The product list, kept live: SWR holds the snapshot from GET /api/v1/products, and one
// EventSource, opened from the snapshot's lastEventId, applies every change to that cache.
import { useEffect, useState } from "react";
import useSWR from "swr";
import type { ProductDto } from "@/lib/products/dto";
import type { ProductSnapshot } from "@/lib/products/queries";
import type { FeedEvent } from "@/lib/events/feed-event";

export type ConnectionState = "connecting" | "live" | "reconnecting";
export type Change = { direction: "up" | "down"; field: "stock" | "price"; at: number };

const PRODUCTS_KEY = "/api/v1/products";
const FEED_URL = "/api/v1/stream/product-updates";

async function fetchSnapshot(url: string): Promise<ProductSnapshot> {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`Loading products failed (${response.status})`);
  return response.json();
}

function applyEvent(snapshot: ProductSnapshot, event: FeedEvent): ProductSnapshot {
  const index = snapshot.products.findIndex((product) => product.id === event.productId);
  const updated: ProductDto = {
    id: event.productId,
    sku: event.sku,
    name: event.name,
    priceCents: event.newPrice,
    stock: event.newStock,
    lowStockThreshold: event.lowStockThreshold,
    version: event.version,
    updatedAt: event.at,
  };
  const products =
    index < 0
      ? [...snapshot.products, updated]
      : snapshot.products.map((product, i) => (i === index && product.version < event.version ? updated : product));
  return { products, lastEventId: event.eventId };
}

export function useLiveProducts(initial: ProductSnapshot) {
  const { data, error, mutate } = useSWR(PRODUCTS_KEY, fetchSnapshot, {
    fallbackData: initial,
    revalidateOnFocus: false,
    revalidateOnReconnect: false,
    revalidateIfStale: false,
  });
  const [connection, setConnection] = useState<ConnectionState>("connecting");
  const [changes, setChanges] = useState<Record<number, Change>>({});
  // Bumped after `event: reset` to reopen the feed from a fresh snapshot.
  const [feedGeneration, setFeedGeneration] = useState(0);
  const shown = data;

  useEffect(() => {
    // The server-rendered snapshot is SWR's fallback, not its cache: put it there, then follow it.
    void mutate((cached) => cached ?? shown, { revalidate: false });
    const source = new EventSource(`${FEED_URL}?lastEventId=${encodeURIComponent(shown.lastEventId)}`);
    source.onopen = () => setConnection("live");
    source.onerror = () => setConnection(source.readyState === EventSource.CLOSED ? "connecting" : "reconnecting");
    source.onmessage = (message) => {
      const event = JSON.parse(message.data) as FeedEvent;
      void mutate(
        (current) => {
          if (!current) return current;
          const before = current.products.find((product) => product.id === event.productId);
          if (before) {
            const field = before.stock !== event.newStock ? "stock" : "price";
            const increased = field === "stock" ? event.newStock > before.stock : event.newPrice > before.priceCents;
            setChanges((all) => ({
              ...all,
              [event.productId]: { direction: increased ? "up" : "down", field, at: Date.now() },
            }));
          }
          return applyEvent(current, event);
        },
        { revalidate: false },
      );
    };
    source.addEventListener("reset", () => {
      source.close();
      setConnection("reconnecting");
      void mutate().then(() => setFeedGeneration((generation) => generation + 1));
    });
    return () => source.close();
    // The feed starts once per generation; later lastEventIds come from the feed itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [feedGeneration, mutate]);

  return { products: data.products, lastEventId: data.lastEventId, error, connection, changes };
}
