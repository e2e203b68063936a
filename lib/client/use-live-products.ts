"use client";
// The product list, kept live: SWR holds the snapshot from GET /api/v1/products, and the
// browser's shared feed (one connection for all tabs, see shared-feed.ts) applies every change
// to that cache. Each event carries the product's whole state and version, so applying one is
// idempotent, and a newer snapshot merges with the cache by version. The list holds active
// products only: an `archived` event removes the row, a `restored` one adds it back.
import { useEffect, useRef, useState } from "react";
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
  // Only `archived` leaves a product archived: it takes no other change until `restored`.
  archivedAt: event.kind === "archived" ? event.at : null,
});

/** How a product's newer state shows on its row: the stock's (or else the price's) direction, if either moved. */
function changeMark(before: ProductDto, after: ProductDto, at: number): Change | null {
  const field = before.stock !== after.stock ? "stock" : before.priceCents !== after.priceCents ? "price" : null;
  if (!field) return null;
  const increased = field === "stock" ? after.stock > before.stock : after.priceCents > before.priceCents;
  return { direction: increased ? "up" : "down", field, at };
}

/** Products the feed archived, with the version it archived them at: an older snapshot must not bring them back. */
type Archived = Map<number, number>;
/** Per product, the id of the newest event the feed applied: a snapshot taken before it lacks a product it created or restored. */
type Applied = Map<number, string>;

const positions = new WeakMap<ProductDto[], Map<number, number>>();

/** How long a change stays marked on its row (the highlight and the spoken "went up"). */
export const CHANGE_MARK_MS = 5_000;

/**
 * Applies a frame's worth of events (at most one per product: each carries the whole state) in
 * one pass, so a busy shop costs one render per frame rather than one per event. Returns the
 * new snapshot and the marks for the cells that changed.
 */
function applyEvents(
  snapshot: ProductSnapshot,
  events: Iterable<FeedEvent>,
  at: number,
  archived: Archived,
  applied: Applied,
) {
  // Products keep their place in the array (changed ones are replaced, new ones appended), so
  // the id -> place index carries over from one frame's array to the next.
  const index = positions.get(snapshot.products) ?? new Map(snapshot.products.map((product, i) => [product.id, i]));
  const products = snapshot.products.slice();
  positions.set(products, index);
  const marks: Record<number, Change> = {};
  let lastEventId = snapshot.lastEventId;
  const removed = new Set<number>();
  for (const event of events) {
    lastEventId = newer(lastEventId, event.eventId);
    applied.set(event.productId, event.eventId);
    if (event.kind === "archived") archived.set(event.productId, event.version);
    else archived.delete(event.productId);
    const i = index.get(event.productId);
    if (i === undefined) {
      if (event.kind !== "archived") index.set(event.productId, products.push(toDto(event)) - 1);
      continue;
    }
    const before = products[i];
    if (before.version >= event.version) continue;
    if (event.kind === "archived") {
      removed.add(event.productId);
      continue;
    }
    products[i] = toDto(event);
    const mark = changeMark(before, products[i], at);
    if (mark) marks[event.productId] = mark;
  }
  if (removed.size === 0) return { snapshot: { products, lastEventId }, marks };
  // Rare (an archive): the remaining rows move up, so their places are counted again.
  const remaining = products.filter((product) => !removed.has(product.id));
  positions.set(remaining, new Map(remaining.map((product, i) => [product.id, i])));
  return { snapshot: { products: remaining, lastEventId }, marks };
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

/**
 * Per product, whichever of the two is newer: nothing applied from the feed is lost, a product
 * the feed archived after the fresh snapshot was taken stays away, and one it created or
 * restored after then stays (the fresh snapshot does not have it yet). A change the fresh
 * snapshot brings first (before its event arrives, which then changes nothing) is marked on its
 * row like one from the feed.
 */
function merge(
  current: ProductSnapshot | undefined,
  fresh: ProductSnapshot,
  archived: Archived,
  applied: Applied,
  marks: Record<number, Change>,
  at: number,
): ProductSnapshot {
  if (!current) return fresh;
  const mine = new Map(current.products.map((product) => [product.id, product]));
  const freshIds = new Set(fresh.products.map((product) => product.id));
  const since = BigInt(fresh.lastEventId);
  const added = current.products.filter(
    (product) => !freshIds.has(product.id) && BigInt(applied.get(product.id) ?? "0") > since,
  );
  return {
    products: fresh.products
      .filter((product) => (archived.get(product.id) ?? 0) <= product.version)
      .map((product) => {
        const cached = mine.get(product.id);
        if (cached && cached.version > product.version) return cached;
        const mark = cached && cached.version < product.version && changeMark(cached, product, at);
        if (mark) marks[product.id] = mark;
        return product;
      })
      .concat(added),
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
    const archived: Archived = new Map();
    const applied: Applied = new Map();
    const batch = frameBatcher((events) => {
      const now = Date.now();
      void mutate(
        (current) => {
          if (!current) return current;
          const { snapshot, marks } = applyEvents(current, events, now, archived, applied);
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
        archived.clear();
        applied.clear();
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
    void fetchSnapshot(PRODUCTS_KEY).then((fresh) => {
      const now = Date.now();
      const marks: Record<number, Change> = {};
      void mutate(
        (current) => {
          const merged = merge(current, fresh, archived, applied, marks, now);
          setChanges((all) => addMarks(all, marks, now));
          return merged;
        },
        { revalidate: false },
      );
    });
    return unsubscribe;
    // Once per mount; the snapshot's later ids come from the feed itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [mutate]);

  return { products: data.products, lastEventId: data.lastEventId, error, connection, caughtUp, changes };
}

/**
 * One product, kept live: the feed's latest state of `loaded`, or `loaded` until the feed has
 * one. Archived or not: the list drops an archived product, so this follows its own events too.
 */
export function useLiveProduct(loaded: ProductDto, initial: ProductSnapshot) {
  const { products, ...live } = useLiveProducts(initial);
  const [own, setOwn] = useState(loaded);
  const newest = useRef(loaded.version);
  useEffect(
    () =>
      sharedFeed(initial.lastEventId).subscribe({
        event: (event) => {
          if (event.productId !== loaded.id || event.version <= newest.current) return;
          newest.current = event.version;
          setOwn(toDto(event));
        },
        reset: () => {},
        state: () => {},
      }),
    // Once per mount, from the server-rendered page's event id (as the list does).
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );
  // The newest of the three: the page's (a refreshed page may bring a newer one), the feed's, the list's.
  const listed = products.find((candidate) => candidate.id === loaded.id);
  const product = [own, listed].reduce<ProductDto>(
    (newest, candidate) => (candidate && candidate.version > newest.version ? candidate : newest),
    loaded,
  );
  return { product, ...live };
}
