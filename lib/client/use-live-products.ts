"use client";
// The product list, kept live: SWR holds the snapshot from GET /api/v1/products, and the
// browser's shared feed (one connection for all tabs, see shared-feed.ts) applies every change
// to that cache. Each event carries the product's whole state and version, so applying one is
// idempotent, and a newer snapshot merges with the cache by version.
import { useEffect, useState } from "react";
import useSWR from "swr";
import { sharedFeed, type ConnectionState } from "@/lib/client/shared-feed";
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

const toDto = (event: FeedEvent): ProductDto => ({
  id: event.productId,
  sku: event.sku,
  name: event.name,
  priceCents: event.newPrice,
  stock: event.newStock,
  lowStockThreshold: event.lowStockThreshold,
  version: event.version,
  updatedAt: event.at,
});

const positions = new WeakMap<ProductDto[], Map<number, number>>();

/** How long a change stays marked on its row (the highlight and the spoken "went up"). */
export const CHANGE_MARK_MS = 5_000;

/**
 * Applies a frame's worth of events (at most one per product: each carries the whole state) in
 * one pass, so a busy shop costs one render per frame rather than one per event. Returns the
 * new snapshot and the marks for the cells that changed.
 */
function applyEvents(snapshot: ProductSnapshot, events: Iterable<FeedEvent>, at: number) {
  // Products keep their place in the array (changed ones are replaced, new ones appended), so
  // the id -> place index carries over from one frame's array to the next.
  const index = positions.get(snapshot.products) ?? new Map(snapshot.products.map((product, i) => [product.id, i]));
  const products = snapshot.products.slice();
  positions.set(products, index);
  const marks: Record<number, Change> = {};
  let lastEventId = snapshot.lastEventId;
  for (const event of events) {
    lastEventId = newer(lastEventId, event.eventId);
    const i = index.get(event.productId);
    if (i === undefined) {
      index.set(event.productId, products.push(toDto(event)) - 1);
      continue;
    }
    const before = products[i];
    if (before.version >= event.version) continue;
    products[i] = toDto(event);
    const field = before.stock !== event.newStock ? "stock" : before.priceCents !== event.newPrice ? "price" : null;
    if (!field) continue;
    const increased = field === "stock" ? event.newStock > before.stock : event.newPrice > before.priceCents;
    marks[event.productId] = { direction: increased ? "up" : "down", field, at };
  }
  return { snapshot: { products, lastEventId }, marks };
}

/** Keeps the marks that are still showing, plus the new ones. */
function addMarks(current: Record<number, Change>, marks: Record<number, Change>, now: number) {
  const kept: Record<number, Change> = {};
  for (const [id, change] of Object.entries(current)) if (now - change.at < CHANGE_MARK_MS) kept[+id] = change;
  return Object.assign(kept, marks);
}

/**
 * Collects feed events and hands them over once per animation frame (or every 250 ms while the
 * tab is hidden and frames do not run). Only the newest event per product is kept in between.
 */
function frameBatcher(flush: (events: FeedEvent[]) => void) {
  let pending = new Map<number, FeedEvent>();
  let scheduled = false;
  const run = () => {
    scheduled = false;
    const events = [...pending.values()];
    pending = new Map();
    flush(events);
  };
  return {
    add(event: FeedEvent) {
      const queued = pending.get(event.productId);
      if (!queued || queued.version < event.version) pending.set(event.productId, event);
      if (scheduled) return;
      scheduled = true;
      if (document.hidden) setTimeout(run, 250);
      else requestAnimationFrame(run);
    },
    /** Drops what is queued (a reset replaces the whole snapshot). */
    clear: () => pending.clear(),
  };
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
    // Every change makes a new snapshot object: identity says whether it changed, without
    // hashing 5,000 products a frame (SWR's default compare).
    compare: (a, b) => a === b,
  });
  const [connection, setConnection] = useState<ConnectionState>("connecting");
  const [caughtUp, setCaughtUp] = useState(false);
  const [changes, setChanges] = useState<Record<number, Change>>({});

  useEffect(() => {
    // The server-rendered snapshot is SWR's fallback, not its cache: put it there, then follow it.
    void mutate((cached) => cached ?? initial, { revalidate: false });
    const feed = sharedFeed(initial.lastEventId);
    const batch = frameBatcher((events) => {
      const now = Date.now();
      void mutate(
        (current) => {
          if (!current) return current;
          const { snapshot, marks } = applyEvents(current, events, now);
          setChanges((all) => addMarks(all, marks, now));
          return snapshot;
        },
        { revalidate: false },
      );
    });
    const unsubscribe = feed.subscribe({
      event: (event) => batch.add(event),
      // Too far behind to replay: take a fresh snapshot and follow the feed from it.
      reset: () => {
        batch.clear();
        void fetchSnapshot(PRODUCTS_KEY).then((fresh) => {
          void mutate(fresh, { revalidate: false });
          feed.resumeFrom(fresh.lastEventId);
        });
      },
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

/** One product, kept live: the feed's latest state of `loaded`, or `loaded` until the feed has one. */
export function useLiveProduct(loaded: ProductDto, initial: ProductSnapshot) {
  const { products, ...live } = useLiveProducts(initial);
  const product = products.find((candidate) => candidate.id === loaded.id) ?? loaded;
  return { product, ...live };
}
