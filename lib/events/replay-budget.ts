// How much of the instance catching up from the database may take: at most `total` reads of
// the event log (a page read and encoded, or a resume's check) at once, and at most
// `perAddress` of them for one client address. Past either a read waits its turn; it is never
// refused (EventSource gives up for good on an error status, and reconnects only after a
// stream that opened). Turns go to addresses in rotation, so 200 streams of one address delay
// another address's resume by about one page, not 200.
//
// Why a budget: each page is a thousand rows parsed and encoded on the event loop. 200 deep
// resumes at once kept 200 such pages ready to run, and every write's next step queued behind
// all of them (docs/benchmarks.md, "Deep resumes"). It also keeps replays to a few of the
// pool's connections, so writes never wait behind them for one (lib/db.ts).
export class ReplayBudget {
  private active = 0;
  private readonly activeByAddress = new Map<string, number>();
  // Each address's waiting reads in arrival order; the Map's order is the rotation.
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(
    readonly total: number,
    readonly perAddress: number,
  ) {}

  /** Reads now waiting for a turn, over every address (a gauge in /api/metrics). */
  get queued(): number {
    let count = 0;
    for (const queue of this.waiting.values()) count += queue.length;
    return count;
  }

  /** Runs `read` once a turn is free for `address`, and gives the turn back when it settles. */
  async run<T>(address: string, read: () => Promise<T>): Promise<T> {
    if (this.waiting.has(address) || !this.hasRoomFor(address)) {
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(address);
        if (queue) queue.push(resolve);
        else this.waiting.set(address, [resolve]);
      });
    } else this.take(address);
    try {
      return await read();
    } finally {
      this.giveBack(address);
    }
  }

  private hasRoomFor(address: string) {
    return this.active < this.total && (this.activeByAddress.get(address) ?? 0) < this.perAddress;
  }

  private take(address: string) {
    this.active++;
    this.activeByAddress.set(address, (this.activeByAddress.get(address) ?? 0) + 1);
  }

  private giveBack(address: string) {
    this.active--;
    const left = this.activeByAddress.get(address)! - 1;
    if (left > 0) this.activeByAddress.set(address, left);
    else this.activeByAddress.delete(address);
    // Free turns to the waiting addresses in rotation; one that got a turn goes to the back.
    for (const [waiter, queue] of this.waiting) {
      if (this.active >= this.total) return;
      if (!this.hasRoomFor(waiter)) continue;
      const next = queue.shift()!;
      this.waiting.delete(waiter);
      if (queue.length > 0) this.waiting.set(waiter, queue);
      this.take(waiter);
      next();
    }
  }
}
