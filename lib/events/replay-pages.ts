// Pages of the event log that resuming streams read from the database, shared: streams that
// resume from the same id (every client of an instance that restarted, or one attacker's 200)
// read each page once, within one turn of the replay budget, and share its encoded frames.
// Only full pages are kept: ids increase in commit order (guarantee 3), so no event can appear
// inside a full page later, while the short page at the end of the log grows as events commit.
import type { EncodedEvent } from "@/lib/events/sse";

/** At most this many pages are kept, the least recently used dropped first: a few MiB. */
const KEPT_PAGES = 32;

export class ReplayPages {
  private readonly pages = new Map<string, Promise<EncodedEvent[]>>();

  constructor(private readonly pageSize: number) {}

  /** The page `key` names, from `read` unless another stream has read it or is reading it. */
  get(key: string, read: () => Promise<EncodedEvent[]>): Promise<EncodedEvent[]> {
    const kept = this.pages.get(key);
    if (kept) {
      // To the back: the most recently used.
      this.pages.delete(key);
      this.pages.set(key, kept);
      return kept;
    }
    const page = read().then(
      (events) => {
        if (events.length < this.pageSize) this.pages.delete(key);
        return events;
      },
      (error: unknown) => {
        this.pages.delete(key);
        throw error;
      },
    );
    this.pages.set(key, page);
    if (this.pages.size > KEPT_PAGES) this.pages.delete(this.pages.keys().next().value!);
    return page;
  }
}
