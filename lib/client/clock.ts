"use client";
// One clock for every relative time on the page: a single 1 s timer, running only while someone
// watches it. A component subscribes with a selector and re-renders only when what it selects
// changes ("5 s ago" -> "6 s ago"), not on every tick.
import { useSyncExternalStore } from "react";

let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

function subscribe(listener: () => void) {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const notify of listeners) notify();
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** `select(now)`, re-evaluated every second; `select` must return a primitive. */
export function useClock<T extends string | number | boolean>(select: (now: number) => T): T {
  return useSyncExternalStore(
    subscribe,
    () => select(now),
    // On the server, the time of this render; in the browser's hydration, the page's load time.
    () => select(typeof window === "undefined" ? Date.now() : now),
  );
}
