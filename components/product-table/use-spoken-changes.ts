"use client";
import { useEffect, useRef, useState } from "react";
import type { Change } from "@/lib/client/use-live-products";
import type { ProductDto } from "@/lib/products/dto";

/** What changed, spoken at most every 5 s so a busy shop does not drown a screen reader. */
export function useSpokenChanges(changes: Record<number, Change>, products: ProductDto[]) {
  const [spoken, setSpoken] = useState("");
  const seen = useRef<Record<number, number>>({});
  const pending = useRef(new Set<number>());
  useEffect(() => {
    for (const [id, change] of Object.entries(changes)) {
      if (seen.current[+id] !== change.at) pending.current.add(+id);
      seen.current[+id] = change.at;
    }
  }, [changes]);
  const latest = useRef(products);
  useEffect(() => {
    latest.current = products;
  }, [products]);
  useEffect(() => {
    const timer = setInterval(() => {
      if (pending.current.size === 0) return;
      const ids = [...pending.current];
      pending.current.clear();
      const named = new Set(ids.slice(0, 3));
      const names = latest.current
        .filter((product) => named.has(product.id))
        .map((product) => `${product.name}: ${product.stock} in stock`);
      setSpoken(
        ids.length > 3
          ? `${ids.length} products changed, including ${names.join("; ")}`
          : `Changed: ${names.join("; ")}`,
      );
    }, 5000);
    return () => clearInterval(timer);
  }, []);
  return spoken;
}
