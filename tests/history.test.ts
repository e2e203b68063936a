// The history an accountant can use (GET /api/v1/events and GET /api/v1/products/{id}/events):
// cursor paging that visits every event once while new ones arrive, each filter (person and
// reason in any case, a person by part of the email), bad filters as a 400 naming the parameter,
// who and why hidden from anonymous readers, and the filters' suggestions for staff only.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { apiClient, signIn, withCookie, type Api } from "./support/api";
import type { ProductHistoryEntry } from "../lib/products/dto";
import { startStack, type Server, type Stack } from "../scripts/stack";

type Page = { events: ProductHistoryEntry[]; nextBefore: string | null; nextAfter: string | null };

const posToken = randomBytes(24).toString("base64url");
let stack: Stack;
let server: Server;
let admin: Api;
let pos: Api;

before(async () => {
  stack = await startStack({ env: { ADMIN_API_TOKENS: `pos:${posToken}` } });
  server = await stack.startServer();
  admin = apiClient(server.baseUrl, stack.adminToken);
  pos = apiClient(server.baseUrl, posToken);
});
after(() => stack?.stop());

let skuCount = 0;
async function newProduct(stock = 100): Promise<number> {
  const sku = `HIST-${process.pid}-${++skuCount}`;
  const created = await admin.call("POST", "/api/v1/products", {
    sku,
    name: `History ${sku}`,
    priceCents: 1000,
    stock,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.id;
}

async function history(path: string, api: Api = admin): Promise<Page> {
  const answer = await api.call("GET", path);
  assert.equal(answer.status, 200, `${path}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

const ids = (page: Page) => page.events.map((event) => event.eventId);

describe("paging", () => {
  test("walking older pages visits every event once, newest first, while new events arrive", async () => {
    const id = await newProduct();
    for (let i = 0; i < 20; i++) await admin.adjust(id, { delta: 1, reason: `walk ${i}` });
    const expected = (await stack.db.productEvent.findMany({ where: { productId: id }, orderBy: { id: "desc" } })).map(
      (event) => event.id.toString(),
    );
    assert.equal(expected.length, 21);

    const seen: string[] = [];
    let page = await history(`/api/v1/events?productId=${id}&limit=6`);
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 10, "the walk ends");
      seen.push(...ids(page));
      // New events land above the walk: they must not shift, repeat or skip anything below it.
      await admin.adjust(id, { delta: 1, reason: "arrived during the walk" });
      if (page.nextBefore === null) break;
      page = await history(`/api/v1/events?productId=${id}&limit=6&before=${page.nextBefore}`);
    }
    assert.deepEqual(seen, expected);

    // And back up: newer pages from the oldest reach the events that arrived meanwhile.
    const newest = (await stack.db.productEvent.findMany({ where: { productId: id }, orderBy: { id: "desc" } })).map(
      (event) => event.id.toString(),
    );
    const climbed: string[] = [];
    let after = String(BigInt(expected.at(-1)!) - BigInt(1));
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 10, "the climb ends");
      const up = await history(`/api/v1/events?productId=${id}&limit=6&after=${after}`);
      climbed.unshift(...ids(up));
      if (up.nextAfter === null) break;
      after = up.nextAfter;
    }
    assert.deepEqual(climbed, newest);
  });

  test("a page says whether older and newer pages exist", async () => {
    const id = await newProduct();
    for (let i = 0; i < 4; i++) await admin.adjust(id, { delta: 1 });
    const first = await history(`/api/v1/products/${id}/events?limit=2`);
    assert.equal(first.events.length, 2);
    assert.equal(first.nextAfter, null);
    assert.equal(first.nextBefore, first.events[1].eventId);
    const middle = await history(`/api/v1/products/${id}/events?limit=2&before=${first.nextBefore}`);
    assert.equal(middle.nextAfter, middle.events[0].eventId);
    const last = await history(`/api/v1/products/${id}/events?limit=2&before=${middle.nextBefore}`);
    assert.equal(last.events.length, 1);
    assert.equal(last.nextBefore, null);
    const back = await history(`/api/v1/products/${id}/events?limit=2&after=${middle.nextAfter}`);
    assert.deepEqual(ids(back), ids(first));
    assert.equal(back.nextAfter, null);
  });
});

describe("filters", () => {
  let id: number;
  before(async () => {
    id = await newProduct(50);
    await admin.adjust(id, { delta: -2, reason: "sale" });
    await pos.adjust(id, { delta: -1, reason: "sale" });
    await pos.adjust(id, { delta: 5, reason: "restock" });
    await admin.patch(id, { priceCents: 1250 });
    await admin.patch(id, { name: "Renamed", lowStockThreshold: 3 });
  });

  const of = (query: string) => history(`/api/v1/events?productId=${id}&${query}`);

  test("by person (actor), in any case", async () => {
    for (const actor of ["api%3Apos", "api%3APOS", "%20API%3APos%20"]) {
      const page = await of(`actor=${actor}`);
      assert.deepEqual(
        page.events.map((event) => [event.actor, event.delta]),
        [
          ["api:pos", 5],
          ["api:pos", -1],
        ],
        actor,
      );
    }
  });

  test("by person, by any part of the email or token name", async () => {
    const byPart = async (part: string) => (await of(`actor=${part}`)).events.map((event) => event.actor);
    assert.deepEqual(await byPart("pos"), ["api:pos", "api:pos"]);
    assert.deepEqual(await byPart("Os"), ["api:pos", "api:pos"]);
    assert.deepEqual(await byPart("DEFAULT"), ["api:default", "api:default", "api:default", "api:default"]);
    // Both tokens' names start with api:, so part of it selects both.
    assert.equal((await byPart("aPi%3A")).length, 6);
    assert.deepEqual(await byPart("nobody"), []);
    // % and _ are characters, not wildcards.
    assert.deepEqual(await byPart("api%25"), []);
    assert.deepEqual(await byPart("api_pos"), []);
  });

  test("by reason, whole, in any case", async () => {
    for (const reason of ["sale", "Sale", "SALE", "%20sale%20"])
      assert.deepEqual(
        (await of(`reason=${reason}`)).events.map((event) => event.delta),
        [-1, -2],
        reason,
      );
    assert.deepEqual((await of("reason=sal")).events, []);
    assert.deepEqual((await of("reason=s_le")).events, []);
  });

  test("by kind, one or several (repeated or comma-separated)", async () => {
    assert.deepEqual(
      (await of("kind=price")).events.map((event) => event.kind),
      ["price"],
    );
    const several = ["update", "price", "created"];
    assert.deepEqual(
      (await of("kind=price&kind=update&kind=created")).events.map((event) => event.kind),
      several,
    );
    assert.deepEqual(
      (await of("kind=price,update,created")).events.map((event) => event.kind),
      several,
    );
  });

  test("by product, on the shop-wide route and the product's own", async () => {
    const shop = await of("limit=1000");
    assert.ok(shop.events.every((event) => event.productId === id));
    assert.equal(shop.events.length, 6);
    assert.deepEqual(ids(await history(`/api/v1/products/${id}/events?kind=stock`)), ids(await of("kind=stock")));
  });

  test("by date: from inclusive, to exclusive; a date alone is a whole UTC day", async () => {
    const events = await stack.db.productEvent.findMany({ where: { productId: id }, orderBy: { id: "asc" } });
    const days = ["2026-03-01T00:00:00.000Z", "2026-03-01T23:59:59.999Z", "2026-03-02T00:00:00.000Z"];
    for (const [index, at] of days.entries())
      await stack.db.productEvent.update({ where: { id: events[index].id }, data: { createdAt: new Date(at) } });
    const atOf = (page: Page) => page.events.map((event) => event.at).reverse();
    assert.deepEqual(atOf(await of("from=2026-03-01&to=2026-03-01")), days.slice(0, 2));
    assert.deepEqual(atOf(await of("from=2026-03-01T23:59:59.999Z&to=2026-03-02T00:00:00Z")), [days[1]]);
    assert.deepEqual(atOf(await of("from=2026-03-02T01:00:00%2B01:00&to=2026-03-02")), [days[2]]);
    assert.equal((await of("to=2026-03-01T00:00:00Z")).events.length, 0);
  });

  test("the calendar's ends: to=9999-12-31 means every event, on the page and in the CSV export", async () => {
    const all = ids(await of(""));
    assert.deepEqual(ids(await of("to=9999-12-31")), all);
    assert.deepEqual(ids(await of("from=0001-01-01&to=9999-12-31T23:59:59Z")), all);
    assert.equal((await of("from=9999-12-31")).events.length, 0);
    const response = await fetch(`${server.baseUrl}/api/v1/events.csv?productId=${id}&to=9999-12-31`, {
      headers: { authorization: `Bearer ${stack.adminToken}` },
    });
    assert.equal(response.status, 200);
    assert.equal((await response.text()).trim().split("\n").length, all.length + 1);
  });
});

describe("bad filters", () => {
  const cases: Array<[string, string]> = [
    ["limit=0", "limit"],
    ["limit=abc", "limit"],
    // Number() would read these as 1000, 16 and 5.
    ["limit=1e3", "limit"],
    ["limit=0x10", "limit"],
    ["limit=%205", "limit"],
    ["before=x", "before"],
    ["after=-1", "after"],
    ["before=5&after=3", "after"],
    ["kind=sale", "kind"],
    ["from=yesterday", "from"],
    ["to=2026-02-30", "to"],
    ["from=2026-11-02&to=2026-11-01", "to"],
    ["from=2026-11-01T10:00:00", "from"],
    // Outside years 1-9999 (UTC), as a day or once its offset is applied.
    ["from=0000-01-01", "from"],
    ["to=0001-01-01T00:30:00%2B01:00", "to"],
    ["from=9999-12-31T23:00:00-02:00", "from"],
    ["productId=0x4", "productId"],
    ["actor=a&actor=b", "actor"],
    ["actor=%20%20", "actor"],
    [`actor=${"a".repeat(201)}`, "actor"],
    ["reason=", "reason"],
    ["reason=%20", "reason"],
    ["prodcutId=4", "prodcutId"],
  ];
  for (const [query, parameter] of cases) {
    test(`?${query}: 400 naming ${parameter}`, async () => {
      const answer = await admin.call("GET", `/api/v1/events?${query}`);
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.equal(answer.body.error.code, "VALIDATION_FAILED");
      assert.ok(
        answer.body.error.issues.some((issue: { path: string }) => issue.path === parameter),
        JSON.stringify(answer.body),
      );
      assert.match(answer.body.error.message, new RegExp(`^${parameter}: `));
    });
  }

  test("an empty kind (kind= or a stray comma) is named as an empty kind", async () => {
    for (const query of ["kind=", "kind=stock,"]) {
      const answer = await admin.call("GET", `/api/v1/events?${query}`);
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.match(answer.body.error.message, /^kind: kind must be one or more of .*, not ""$/, query);
    }
  });

  test("the product's route refuses productId (the product is in the path) and unknown products", async () => {
    const id = await newProduct();
    assert.equal((await admin.call("GET", `/api/v1/products/${id}/events?productId=${id}`)).status, 400);
    assert.equal((await admin.call("GET", `/api/v1/products/99999999/events`)).status, 404);
    assert.equal((await admin.call("GET", `/api/v1/events?productId=99999999`)).status, 404);
  });
});

describe("anonymous readers", () => {
  test("get every entry without who and why, and may not filter by them", async () => {
    const id = await newProduct();
    await admin.adjust(id, { delta: 1, reason: "secret supplier deal" });
    const response = await fetch(`${server.baseUrl}/api/v1/events?productId=${id}`);
    const page = (await response.json()) as Page;
    assert.equal(page.events.length, 2);
    for (const event of page.events) assert.ok(!("actor" in event) && !("reason" in event), JSON.stringify(event));
    const product = (await (await fetch(`${server.baseUrl}/api/v1/products/${id}/events`)).json()) as Page;
    assert.deepEqual(product, page);
    for (const query of ["actor=api%3Adefault", "reason=secret+supplier+deal"]) {
      const refused = await fetch(`${server.baseUrl}/api/v1/events?${query}`);
      assert.equal(refused.status, 401);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "UNAUTHENTICATED");
    }
    const audited = await history(`/api/v1/events?productId=${id}&reason=secret+supplier+deal`);
    assert.equal(audited.events[0].actor, "api:default");
  });
});

describe("a person found by part of the email", () => {
  test("pages by id through the events of every person it matches, once each, newest first", async () => {
    const tag = randomBytes(3).toString("hex");
    const people = [`anna.${tag}@shop.example`, `hanna.${tag}@shop.example`, `bob.${tag}@shop.example`];
    const id = await newProduct();
    // Interleaved, so a page holds both matching people and the third between them.
    for (let i = 0; i < 12; i++) {
      await stack.db.productEvent.create({
        data: {
          productId: id,
          kind: "stock",
          sku: "S",
          name: "n",
          stock: i,
          priceCents: 1,
          lowStockThreshold: 5,
          version: i + 2,
          delta: 1,
          reason: `walk ${i}`,
          actor: people[i % 3],
          stockLevel: "ok",
        },
      });
    }
    const expected = (
      await stack.db.productEvent.findMany({
        where: { actor: { in: people.slice(0, 2) } },
        orderBy: { id: "desc" },
      })
    ).map((event) => event.id.toString());
    assert.equal(expected.length, 8);

    const query = `actor=ANNA.${tag}&limit=3`;
    const seen: string[] = [];
    let page = await history(`/api/v1/events?${query}`);
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 10, "the walk ends");
      seen.push(...ids(page));
      for (const event of page.events) assert.ok(people.slice(0, 2).includes(event.actor!), event.actor);
      if (page.nextBefore === null) break;
      page = await history(`/api/v1/events?${query}&before=${page.nextBefore}`);
    }
    assert.deepEqual(seen, expected);
    const up = await history(`/api/v1/events?${query}&after=${expected.at(-1)}`);
    assert.deepEqual(ids(up), expected.slice(-4, -1));
    assert.notEqual(up.nextAfter, null);

    // A whole email is that person only: hanna's is not anna's, although it contains it.
    const anna = await history(`/api/v1/events?actor=${encodeURIComponent(people[0].toUpperCase())}`);
    assert.deepEqual([...new Set(anna.events.map((event) => event.actor))], [people[0]]);
    // The CSV export takes the same filter.
    const response = await fetch(`${server.baseUrl}/api/v1/events.csv?actor=anna.${tag}`, {
      headers: { authorization: `Bearer ${stack.adminToken}` },
    });
    assert.equal(response.status, 200);
    assert.equal((await response.text()).trim().split("\n").length, 1 + 8);
  });
});

describe("suggestions", () => {
  test("the people and reasons there are, for staff and tokens only", async () => {
    const id = await newProduct();
    const tag = randomBytes(3).toString("hex");
    await pos.adjust(id, { delta: -1, reason: `Web ORDER ${tag}` });
    await admin.adjust(id, { delta: -1, reason: `web order ${tag}` });
    await admin.adjust(id, { delta: -1, reason: `web order ${tag}` });
    const viewerPassword = await stack.addUser(`viewer.${tag}@shop.example`, "viewer");
    const { cookie } = await signIn(server.baseUrl, `viewer.${tag}@shop.example`, viewerPassword);

    for (const asked of [
      await admin.call("GET", "/api/v1/events/suggestions"),
      await withCookie(server.baseUrl, cookie, "GET", "/api/v1/events/suggestions"),
    ]) {
      assert.equal(asked.status, 200, JSON.stringify(asked.body));
      const { actors, reasons } = asked.body as { actors: string[]; reasons: string[] };
      assert.ok(actors.includes("api:pos") && actors.includes("api:default"), JSON.stringify(actors));
      assert.deepEqual(actors, [...actors].sort(), "in order");
      // Once in any case, as most often written; the stock forms' own reasons are there too.
      assert.deepEqual(
        reasons.filter((reason) => reason.toLowerCase() === `web order ${tag}`),
        [`web order ${tag}`],
      );
      for (const reason of ["sale", "restock", "return", "correction", "damage"]) assert.ok(reasons.includes(reason));
    }

    // Anonymous readers never see who: no suggestions, as no actor filter.
    const anonymous = await fetch(`${server.baseUrl}/api/v1/events/suggestions`);
    assert.equal(anonymous.status, 401);
    const body = await anonymous.text();
    assert.equal(JSON.parse(body).error.code, "UNAUTHENTICATED");
    assert.ok(!body.includes("@"), body);
    const badToken = await fetch(`${server.baseUrl}/api/v1/events/suggestions`, {
      headers: { authorization: "Bearer not-a-token" },
    });
    assert.equal(badToken.status, 401);
    const withParameter = await admin.call("GET", "/api/v1/events/suggestions?actor=a");
    assert.equal(withParameter.status, 400);
    assert.equal(withParameter.body.error.issues[0].path, "actor");
  });
});

test("filters use indexes: a filtered page of a large history scans only what it returns", async () => {
  // 100,000 events by other people; the filter's rows are few. Without an index that starts with
  // the filter's column the plan reads the whole table (a Seq Scan or the primary key backwards).
  await stack.db.$executeRaw`
    INSERT INTO "ProductEvent" ("productId", kind, sku, name, stock, "priceCents", "lowStockThreshold", version, actor, reason, "stockLevel")
    SELECT 1, 'stock', 'BULK', 'bulk', g, 100, 5, g, 'api:bulk', 'bulk', stock_level(g, 5) FROM generate_series(1, 100000) AS g`;
  await stack.db.$executeRaw`ANALYZE "ProductEvent"`;
  // The conditions as lib/products/history.ts writes them (the person resolved to the actors it matches).
  for (const [condition, value, index] of [
    [`actor IN ($1)`, "api:pos", "ProductEvent_actor_id_idx"],
    [`lower(reason) = lower($1::text)`, "Restock", "ProductEvent_reason_lower_id_idx"],
    [`kind IN ($1)`, "price", "ProductEvent_kind_id_idx"],
  ]) {
    const plan = await stack.db.$queryRawUnsafe<Array<{ "QUERY PLAN": string }>>(
      `EXPLAIN SELECT * FROM "ProductEvent" WHERE ${condition} ORDER BY id DESC LIMIT 101`,
      value,
    );
    const text = plan.map((row) => row["QUERY PLAN"]).join("\n");
    assert.match(text, new RegExp(index), text);
  }
});
