"use client";
// The product list, kept live: SWR holds the snapshot from GET /api/v1/products, and the
// browser's shared feed (one connection for all tabs, see shared-feed.ts) applies every change
// to that cache. Each event carries the product's whole state and version, so applying one is
// idempotent, and a newer snapshot merges with the cache by version.
import { useEffect, useState } from "react";
import useSWR from "swr";
import { sharedFeed, type ConnectionState } from "@/components/shared-feed";
import type { ProductDto } from "@/lib/products/dto";
import type { ProductSnapshot } from "@/lib/products/queries";
import type { FeedEvent } from "@/lib/events/feed-event";

export type { ConnectionState };
export type Change = { direction: "up" | "down"; field: "stock" | "price"; at: number };

const PRODUCTS_KEY = "/api/v1/products";

async function fetchSnapshot(url: string): Promise<ProductSnapshot> {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`Loading products failed (${response.status})`);
  return response.json();
}

const newer = (a: string, b: string) => (BigInt(a) > BigInt(b) ? a : b);

function applyEvent(snapshot: ProductSnapshot, event: FeedEvent): ProductSnapshot {
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
  const index = snapshot.products.findIndex((product) => product.id === event.productId);
  const products =
    index < 0
      ? [...snapshot.products, updated]
      : snapshot.products.map((product, i) => (i === index && product.version < event.version ? updated : product));
  return { products, lastEventId: newer(snapshot.lastEventId, event.eventId) };
}

/** Per product, whichever of the two is newer: nothing applied from the feed is lost. */
function merge(current: ProductSnapshot | undefined, fresh: ProductSnapshot): ProductSnapshot {
  if (!current) return fresh;
  const mine = new Map(current.products.map((product) => [product.id, product]));
  return {
    products: fresh.products.map((product) => {
      const cached = mine.get(product.id);
      return cached && cached.version > product.version ? cached : product;
    }),
    lastEventId: newer(current.lastEventId, fresh.lastEventId),
  };
}

export function useLiveProducts(initial: ProductSnapshot) {
  const { data, error, mutate } = useSWR(PRODUCTS_KEY, fetchSnapshot, {
    fallbackData: initial,
    revalidateOnFocus: false,
    revalidateOnReconnect: false,
    revalidateIfStale: false,
    revalidateOnMount: false,
  });
  const [connection, setConnection] = useState<ConnectionState>("connecting");
  const [caughtUp, setCaughtUp] = useState(false);
  const [changes, setChanges] = useState<Record<number, Change>>({});

  useEffect(() => {
    // The server-rendered snapshot is SWR's fallback, not its cache: put it there, then follow it.
    void mutate((cached) => cached ?? initial, { revalidate: false });
    const feed = sharedFeed(initial.lastEventId);
    const unsubscribe = feed.subscribe({
      event: (event) =>
        void mutate(
          (current) => {
            if (!current || BigInt(event.eventId) <= BigInt(current.lastEventId)) return current;
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
        ),
      // Too far behind to replay: take a fresh snapshot and follow the feed from it.
      reset: () =>
        void fetchSnapshot(PRODUCTS_KEY).then((fresh) => {
          void mutate(fresh, { revalidate: false });
          feed.resumeFrom(fresh.lastEventId);
        }),
      state: (state, wasCaughtUp) => {
        setConnection(state);
        setCaughtUp(wasCaughtUp);
      },
    });
    // Another tab may have been leading the feed since before this page's snapshot was taken:
    // a fresh snapshot, merged by version, closes any gap between the two.
    void fetchSnapshot(PRODUCTS_KEY).then((fresh) => mutate((current) => merge(current, fresh), { revalidate: false }));
    return unsubscribe;
    // Once per mount; the snapshot's later ids come from the feed itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [mutate]);

  return { products: data.products, lastEventId: data.lastEventId, error, connection, caughtUp, changes };
}
