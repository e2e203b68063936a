// Replay's share of the event loop (lib/events/replay-turns.ts): however many streams catch up
// at once, they write at most a turn's bytes between two turns of the loop, so a request that
// arrives meanwhile is served while they are still writing, not after all of them.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { ReplayTurns } from "../lib/events/replay-turns";

const CHUNK = 64 * 1024;
const PER_TURN = 256 * 1024;
const STREAMS = 200;
const CHUNKS_PER_STREAM = 50;

/** 200 streams each writing 50 chunks as fast as the turns let them; resolves when all are done. */
function catchUp(turns: ReplayTurns, onChunk: () => void) {
  return Promise.all(
    Array.from({ length: STREAMS }, async () => {
      for (let chunk = 0; chunk < CHUNKS_PER_STREAM; chunk++) {
        await turns.take(CHUNK);
        onChunk();
      }
    }),
  );
}

test("catching-up streams write at most a turn's bytes between two turns of the event loop", async () => {
  const turns = new ReplayTurns(PER_TURN);
  let sinceLastTurn = 0;
  let mostInOneTurn = 0;
  let done = false;
  // Runs once per turn of the loop: an immediate scheduled from the check phase runs in the next.
  const everyTurn = () => {
    mostInOneTurn = Math.max(mostInOneTurn, sinceLastTurn);
    sinceLastTurn = 0;
    if (!done) setImmediate(everyTurn);
  };
  setImmediate(everyTurn);
  await catchUp(turns, () => (sinceLastTurn += CHUNK));
  done = true;
  mostInOneTurn = Math.max(mostInOneTurn, sinceLastTurn);
  // One chunk may start a turn's budget past the limit; none more.
  assert.ok(mostInOneTurn <= PER_TURN + CHUNK, `${mostInOneTurn} bytes were let through in one turn`);
  assert.equal(turns.queued, 0);
});

test("a request that arrives while 200 streams catch up is answered before they finish", async () => {
  const server = createServer((_request, response) => response.end("ok"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const turns = new ReplayTurns(PER_TURN);
    let written = 0;
    const all = STREAMS * CHUNKS_PER_STREAM;
    let writtenWhenAnswered = -1;
    const answered = fetch(`http://127.0.0.1:${port}/`)
      .then((response) => response.text())
      .then(() => (writtenWhenAnswered = written));
    await catchUp(turns, () => written++);
    await answered;
    assert.ok(writtenWhenAnswered >= 0 && writtenWhenAnswered < all, `answered after ${writtenWhenAnswered} of ${all}`);
  } finally {
    server.close();
  }
});
