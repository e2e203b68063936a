// Who sees what on the pages (README, "Who may do what"). Every admin page, found in app/ so a
// page added later is covered too, answers nobody signed in with a redirect to sign-in and a
// viewer with 403, and neither that answer nor a router's RSC request (which renders only the
// segments the client says it lacks, so no layout's check runs) carries any of the page's data.
// The other pages show staff's names and reasons to staff only, and webhooks to nobody.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { signIn, withCookie } from "./support/api";
import { startStack, type Server, type Stack } from "../scripts/stack";

let stack: Stack;
let server: Server;
let viewerCookie = "";
let adminCookie = "";

const tag = randomBytes(6).toString("hex");
// Recognisable data that only admins may see (webhooks, deliveries, archived products) or only
// staff (who made a change and why).
const secret = {
  webhookToken: `hooktoken${tag}`,
  pausedReason: `pausedreason${tag}`,
  lastError: `lasterror${tag}`,
  deliveryError: `deliveryerror${tag}`,
  responseExcerpt: `excerpt${tag}`,
  staffEmail: `quiet-${tag}@stockpulse.test`,
  reason: `reason${tag}`,
  archivedName: `Archived ${tag}`,
};
const WEBHOOK_DATA = [
  secret.webhookToken,
  secret.pausedReason,
  secret.lastError,
  secret.deliveryError,
  secret.responseExcerpt,
];
const AUDIT_DATA = [secret.staffEmail, secret.reason];
const ADMIN_DATA = [...WEBHOOK_DATA, ...AUDIT_DATA, secret.archivedName];
let productId = 0;
let archivedId = 0;
let webhookId = 0;

before(async () => {
  stack = await startStack();
  server = await stack.startServer();
  const staffPassword = await stack.addUser(secret.staffEmail, "admin");
  const viewerPassword = await stack.addUser(`viewer-${tag}@stockpulse.test`, "viewer");
  adminCookie = (await signIn(server.baseUrl, stack.admin.email, stack.admin.password)).cookie;
  viewerCookie = (await signIn(server.baseUrl, `viewer-${tag}@stockpulse.test`, viewerPassword)).cookie;
  const staffCookie = (await signIn(server.baseUrl, secret.staffEmail, staffPassword)).cookie;

  // The second member of staff changes a product, with a reason, and archives another.
  productId = (await stack.db.product.findFirstOrThrow({ orderBy: { id: "asc" } })).id;
  const adjusted = await withCookie(
    server.baseUrl,
    staffCookie,
    "POST",
    `/api/v1/products/${productId}/stock-adjustments`,
    {
      delta: 1,
      reason: secret.reason,
    },
  );
  assert.equal(adjusted.status, 200, adjusted.text);
  const created = await withCookie(server.baseUrl, staffCookie, "POST", "/api/v1/products", {
    sku: `ARCH-${tag}`.toUpperCase(),
    name: secret.archivedName,
    priceCents: 100,
    stock: 1,
  });
  assert.equal(created.status, 201, created.text);
  archivedId = (JSON.parse(created.text) as { id: number }).id;
  const archived = await withCookie(server.baseUrl, staffCookie, "POST", `/api/v1/products/${archivedId}/archive`, {
    reason: secret.reason,
  });
  assert.equal(archived.status, 200, archived.text);

  // A paused webhook (nothing is sent to it) whose URL carries a token, with a failed delivery.
  const webhook = await stack.db.webhookSubscription.create({
    data: {
      url: `https://hooks.example.net/stock?token=${secret.webhookToken}`,
      kinds: "all",
      secret: `whsec_${tag}`,
      cursor: 0,
      status: "paused",
      pausedReason: secret.pausedReason,
      lastError: secret.lastError,
      createdBy: secret.staffEmail,
    },
  });
  webhookId = webhook.id;
  await stack.db.webhookDelivery.create({
    data: {
      subscriptionId: webhookId,
      eventCount: 1,
      statusCode: 500,
      error: secret.deliveryError,
      responseExcerpt: secret.responseExcerpt,
      latencyMs: 12,
    },
  });
});
after(() => stack?.stop());

/** Every page's route ("admin/webhooks/[id]"), from the page files under app/ (route groups left out). */
function pageRoutes(dir = path.join(import.meta.dirname, "..", "app"), prefix: string[] = []): string[][] {
  const routes: string[][] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (entry.name === "api" && prefix.length === 0) continue;
      const segment = /^\(.*\)$/.test(entry.name) ? [] : [entry.name];
      routes.push(...pageRoutes(path.join(dir, entry.name), [...prefix, ...segment]));
    } else if (/^page\.(tsx|ts|jsx|js|mdx)$/.test(entry.name)) {
      routes.push(prefix);
    }
  }
  return routes;
}

/** The value of each dynamic segment, by the route up to it; a new one must be added here. */
const dynamicValues = (): Record<string, string> => ({
  "admin/products/[id]": String(archivedId),
  "admin/webhooks/[id]": String(webhookId),
  "products/[id]": String(productId),
});

type Page = { route: string; segments: Array<string | { name: string; value: string }>; url: string };

function pages(): Page[] {
  return pageRoutes().map((route) => {
    const segments = route.map((segment, index) => {
      const dynamic = /^\[(.+)\]$/.exec(segment);
      if (!dynamic) return segment;
      const value = dynamicValues()[route.slice(0, index + 1).join("/")];
      assert.ok(value, `no value for ${route.join("/")}'s ${segment}: add one to dynamicValues`);
      return { name: dynamic[1], value };
    });
    const url = `/${segments.map((segment) => (typeof segment === "string" ? segment : segment.value)).join("/")}`;
    return { route: route.join("/"), segments, url };
  });
}
const isAdmin = (page: Page) => page.route === "admin" || page.route.startsWith("admin/");
const adminPages = () => pages().filter(isAdmin);
const otherPages = () => pages().filter((page) => !isAdmin(page));

/**
 * The router state a client sends on a client-side navigation: the segments it has rendered
 * already. Next renders only from the first segment that differs, so a tree with every layout
 * of `page` and another page entry asks for the page alone, none of its layouts.
 */
function routerState(segments: Page["segments"], pageKey: string): string {
  let tree: unknown[] = [pageKey, {}];
  for (const segment of [...segments].reverse()) {
    const key = typeof segment === "string" ? segment : [segment.name, segment.value, "d", null];
    tree = [key, { children: tree }];
  }
  return encodeURIComponent(JSON.stringify(["", { children: tree }]));
}

type Variant = { name: string; query?: string; headers: (page: Page) => Record<string, string> };

/** A plain page request, and the requests a router sends: RSC navigations and prefetches. */
const VARIANTS: Variant[] = [
  { name: "GET", headers: () => ({}) },
  { name: "RSC", query: "_rsc=full", headers: () => ({ rsc: "1" }) },
  {
    name: "RSC navigation within the page's layouts",
    query: "_rsc=page",
    headers: (page) => ({ rsc: "1", "next-router-state-tree": routerState(page.segments, '__PAGE__?{"from":"x"}') }),
  },
  {
    name: "RSC navigation from another admin page",
    query: "_rsc=nav",
    headers: (page) => ({
      rsc: "1",
      "next-router-state-tree":
        page.route === "admin" ? routerState(["admin", "import"], "__PAGE__") : routerState(["admin"], "__PAGE__"),
    }),
  },
  {
    name: "RSC prefetch",
    query: "_rsc=prefetch",
    headers: (page) => ({
      rsc: "1",
      "next-router-prefetch": "1",
      "next-router-state-tree": routerState(page.segments, '__PAGE__?{"from":"x"}'),
    }),
  },
];

async function request(page: Page, variant: Variant, cookie?: string) {
  let url = `${page.url}${variant.query ? `?${variant.query}` : ""}`;
  for (;;) {
    const response = await fetch(`${server.baseUrl}${url}`, {
      redirect: "manual",
      headers: { ...(cookie ? { cookie } : {}), ...variant.headers(page) },
    });
    const location = response.headers.get("location");
    // Next answers an RSC request whose `_rsc` is not the hash of its router headers with a
    // redirect to the right one (as the router computes it); that one is followed, no other.
    if (variant.query && location && new URL(location, server.baseUrl).pathname === page.url && location !== url) {
      await response.body?.cancel();
      url = location;
      continue;
    }
    return { status: response.status, location, body: await response.text() };
  }
}

const leaked = (body: string, data: string[]) => data.filter((item) => body.includes(item));

describe("admin pages", () => {
  test("the pages are found in app/ and an admin sees the data the others must not", async () => {
    const routes = adminPages().map((page) => page.route);
    for (const route of ["admin", "admin/webhooks", "admin/webhooks/[id]", "admin/archived", "admin/products/[id]"]) {
      assert.ok(routes.includes(route), `${route} in ${routes.join(", ")}`);
    }
    const seen = new Set<string>();
    for (const page of adminPages()) {
      const response = await request(page, VARIANTS[0], adminCookie);
      assert.equal(response.status, 200, `${page.url}: ${response.status}`);
      for (const item of leaked(response.body, ADMIN_DATA)) seen.add(item);
    }
    // Every secret is on some admin page, so finding none below means something.
    assert.deepEqual(
      ADMIN_DATA.filter((item) => !seen.has(item) && item !== secret.reason),
      [],
      "seeded data an admin does not see",
    );
    // The navigation request renders the page without its layouts (the admin nav is not in it).
    const webhooks = adminPages().find((page) => page.route === "admin/webhooks/[id]")!;
    const navigation = await request(webhooks, VARIANTS[2], adminCookie);
    assert.equal(navigation.status, 200);
    assert.ok(navigation.body.includes(secret.deliveryError), "the page's data");
    assert.ok(!navigation.body.includes("Import CSV"), "the admin layout was not rendered");
  });

  test("nobody signed in: 307 to sign-in with the way back, and none of the page's data, plain or RSC", async () => {
    const failures: string[] = [];
    for (const page of adminPages()) {
      for (const variant of VARIANTS) {
        const response = await request(page, variant);
        const found = leaked(response.body, ADMIN_DATA);
        if (found.length) failures.push(`${variant.name} ${page.url}: ${response.status} carries ${found.join(", ")}`);
        if (variant.name === "GET") {
          if (response.status !== 307) failures.push(`GET ${page.url}: ${response.status}, not 307`);
          else if (response.location !== `/sign-in?next=${encodeURIComponent(page.url)}`)
            failures.push(`GET ${page.url}: to ${response.location}`);
        } else if (!variant.headers(page)["next-router-prefetch"]) {
          // The page itself sends the router to sign-in (a layout skipped by the request cannot).
          if (!response.body.includes(`NEXT_REDIRECT;replace;/sign-in?next=${encodeURIComponent(page.url)};307;`))
            failures.push(`${variant.name} ${page.url}: no redirect to sign-in in the answer`);
        }
      }
    }
    assert.deepEqual(failures, []);
  });

  test("a viewer: 403 Admins only, and none of the page's data, plain or RSC", async () => {
    const failures: string[] = [];
    for (const page of adminPages()) {
      for (const variant of VARIANTS) {
        const response = await request(page, variant, viewerCookie);
        // A viewer is staff and may know who changed what; nothing else of an admin page.
        const found = leaked(response.body, [...WEBHOOK_DATA, secret.archivedName]);
        if (found.length) failures.push(`${variant.name} ${page.url}: ${response.status} carries ${found.join(", ")}`);
        if (variant.name === "GET") {
          if (response.status !== 403) failures.push(`GET ${page.url}: ${response.status}, not 403`);
          else if (!response.body.includes("Admins only")) failures.push(`GET ${page.url}: not the 403 page`);
        } else if (!variant.headers(page)["next-router-prefetch"]) {
          // The page itself answers forbidden() (a layout skipped by the request cannot).
          if (!response.body.includes("NEXT_HTTP_ERROR_FALLBACK;403"))
            failures.push(`${variant.name} ${page.url}: no 403 in the answer`);
        }
      }
    }
    assert.deepEqual(failures, []);
  });

  test("a record's page answers alike whether the record exists or not (no existence leak)", async () => {
    for (const route of ["admin/products/[id]", "admin/webhooks/[id]"]) {
      const page = adminPages().find((candidate) => candidate.route === route)!;
      const missing = { ...page, url: page.url.replace(/\/\d+$/, "/999999") };
      const malformed = { ...page, url: page.url.replace(/\/\d+$/, "/nope") };
      for (const [who, cookie, status] of [
        ["nobody", undefined, 307],
        ["a viewer", viewerCookie, 403],
      ] as const) {
        for (const target of [page, missing, malformed]) {
          const response = await request(target, VARIANTS[0], cookie);
          assert.equal(response.status, status, `${who}, ${target.url}`);
          // Skipping the admin layout, the record's own layout and page must still ask who first.
          const navigation = await request(target, VARIANTS[3], cookie);
          assert.equal(navigation.status, 200, `${who}, RSC ${target.url}`);
          assert.ok(!navigation.body.includes("NEXT_HTTP_ERROR_FALLBACK;404"), `${who}, RSC ${target.url}: a 404`);
        }
      }
    }
  });
});

describe("the other pages", () => {
  test("nobody signed in sees neither who changed what nor any webhook, plain or RSC", async () => {
    const failures: string[] = [];
    for (const page of otherPages()) {
      for (const variant of VARIANTS.slice(0, 3)) {
        const response = await request(page, variant);
        const found = leaked(response.body, [...WEBHOOK_DATA, ...AUDIT_DATA]);
        if (found.length) failures.push(`${variant.name} ${page.url}: ${response.status} carries ${found.join(", ")}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  test("a viewer sees who changed what on the activity page, and no webhook anywhere", async () => {
    const failures: string[] = [];
    for (const page of otherPages()) {
      for (const variant of VARIANTS.slice(0, 3)) {
        const response = await request(page, variant, viewerCookie);
        const found = leaked(response.body, WEBHOOK_DATA);
        if (found.length) failures.push(`${variant.name} ${page.url}: ${response.status} carries ${found.join(", ")}`);
      }
    }
    assert.deepEqual(failures, []);
    // The person filter's suggestions list staff: for staff, and for nobody else.
    const suggestions = "/api/v1/events/suggestions";
    const forViewer = await withCookie(server.baseUrl, viewerCookie, "GET", suggestions);
    assert.equal(forViewer.status, 200);
    assert.ok(forViewer.text.includes(secret.staffEmail), "the person filter's suggestions list staff");
    const forNobody = await fetch(`${server.baseUrl}${suggestions}`);
    assert.equal(forNobody.status, 401);
    assert.deepEqual(leaked(await forNobody.text(), AUDIT_DATA), []);
  });
});
