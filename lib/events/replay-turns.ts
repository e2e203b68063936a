// How many bytes catching up may write in one turn of the event loop, over every replaying
// stream: past `bytesPerTurn` a stream's next chunk waits for a later turn, and the turns between
// run whatever else is ready (a write's request, its statement's answer, its notification).
//
// Why: the replay budget (replay-budget.ts) bounds reading and encoding, but writing is cheap
// per chunk and runs in microtasks: a stream whose socket takes its chunk goes straight on to
// the next, and 200 streams resuming from one shared page wrote ~13 MiB in one turn while a
// write's next step waited behind it (docs/benchmarks.md, "Deep resumes").
export class ReplayTurns {
  private used = 0;
  private turnScheduled = false;
  // Streams waiting for room, first come first served, with the bytes each will write.
  private readonly waiting: Array<{ bytes: number; go: () => void }> = [];

  constructor(readonly bytesPerTurn: number) {}

  /** Streams now waiting for a later turn (a gauge in /api/metrics). */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Resolves once `bytes` may be written in the current turn. At least one chunk is let through
   * per turn however large, so a chunk bigger than the budget still goes out.
   */
  take(bytes: number): Promise<void> {
    this.nextTurnSoon();
    if (this.waiting.length === 0 && this.used < this.bytesPerTurn) {
      this.used += bytes;
      return Promise.resolve();
    }
    return new Promise((go) => this.waiting.push({ bytes, go }));
  }

  private nextTurnSoon() {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    // setImmediate runs after the poll phase: the I/O that arrived meanwhile is served first.
    setImmediate(() => this.startTurn());
  }

  private startTurn() {
    this.turnScheduled = false;
    this.used = 0;
    while (this.waiting.length > 0 && this.used < this.bytesPerTurn) {
      const { bytes, go } = this.waiting.shift()!;
      this.used += bytes;
      go();
    }
    if (this.waiting.length > 0) this.nextTurnSoon();
  }
}
