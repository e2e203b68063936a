// The audit trail is kept apart from how far back a feed client may resume: history is kept
// forever by default, and a client more than FEED_REPLAY_MAX_EVENTS events behind is told to
// reload the snapshot (`event: reset`) without any event being deleted.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { apiClient } from "./support/api";
import { eventually } from "./support/eventually";
import { openFeed } from "./support/sse";
import { startStack, type Server, type Stack } from "../scripts/stack";

const FEED = "/api/v1/stream/product-updates";
const MAX = 20;

let stack: Stack;
let server: Server;

before(async () => {
  stack = await startStack({ env: { FEED_REPLAY_MAX_EVENTS: String(MAX), SSE_HEARTBEAT_MS: "120000" } });
  server = await stack.startServer();
});
after(() => stack?.stop());

// The seeded products have no events: an empty log is id 0.
const newestId = async () => (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id ?? BigInt(0);

async function adjustTimes(count: number) {
  const api = apiClient(server.baseUrl, stack.adminToken);
  for (let i = 0; i < count; i++) assert.equal((await api.adjust(3, { delta: 1, reason: "replay limit" })).status, 200);
}

for (const transport of ["node", "route-handler"] as const) {
  test(`${transport}: a client more than FEED_REPLAY_MAX_EVENTS behind is reset, and nothing is deleted`, async () => {
    const target = transport === "node" ? server : await stack.startServer({ transport });
    const from = await newestId();
    await adjustTimes(MAX + 1);
    const before = await stack.db.productEvent.count();
    const feed = await openFeed(`${target.baseUrl}${FEED}`, { "last-event-id": String(from) });
    await feed.closed;
    const reset = feed.frames.find((frame) => frame.event === "reset");
    assert.ok(reset, `no reset: ${JSON.stringify(feed.frames)}`);
    assert.match(JSON.parse(reset.data!).reason, /more than 20 events behind \(FEED_REPLAY_MAX_EVENTS\)/);
    assert.equal(feed.events().length, 0);
    assert.equal(await stack.db.productEvent.count(), before);
    assert.equal(await stack.db.productEvent.count({ where: { id: { gt: from } } }), MAX + 1);
    if (target !== server) await target.stop();
  });
}

test("a client exactly at the limit resumes with every event, even where ids jump far apart", async () => {
  const from = await newestId();
  // Sequence values are not gap-free (a rolled back insert burns one): make a gap of 1,000 ids,
  // so that an id-distance check would call this client 1,000 events behind.
  await stack.db.$executeRaw`SELECT setval(pg_get_serial_sequence('"ProductEvent"', 'id'), ${from + BigInt(1000)})`;
  await adjustTimes(MAX);
  const expected = (await stack.db.productEvent.findMany({ where: { id: { gt: from } }, orderBy: { id: "asc" } })).map(
    (event) => event.id.toString(),
  );
  assert.equal(expected.length, MAX);
  assert.ok(BigInt(expected[0]) > from + BigInt(MAX), "the ids jump");
  const feed = await openFeed(`${server.baseUrl}${FEED}`, { "last-event-id": String(from) });
  await feed.waitFor(() => feed.events().length >= MAX, `${MAX} replayed events`);
  feed.close();
  assert.ok(!feed.frames.some((frame) => frame.event === "reset"));
  assert.deepEqual(
    feed.events().map((event) => event.eventId),
    expected,
  );
});

test("by default (EVENT_RETENTION_DAYS unset) no event is pruned, however old", async () => {
  const count = await stack.db.productEvent.count();
  await stack.db.productEvent.updateMany({ data: { createdAt: new Date("2016-01-01T00:00:00Z") } });
  // A server prunes when its listener is ready, and says what it did.
  const restarted = await stack.startServer();
  await eventually(async () => /event history: (kept forever|pruned)/.test(restarted.output()), "the retention line");
  assert.match(restarted.output(), /event history: kept forever \(EVENT_RETENTION_DAYS is unset\)/);
  assert.equal(await stack.db.productEvent.count(), count);
  await restarted.stop();
});
