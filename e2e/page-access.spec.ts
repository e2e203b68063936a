// Who sees what, in a real browser: a viewer's client-side navigations and the router's RSC
// requests carry no admin data (tests/page-access.test.ts covers every page and request shape
// over HTTP), and sign-in's way back never leaves the site, however `next` is spelt
// (tests/return-path.test.ts has the whole table).
import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { signIn } from "./support";

/** Every response body the page receives from now on (documents, RSC payloads, API calls). */
function recordResponses(page: Page) {
  const bodies: Array<Promise<string>> = [];
  page.on("response", (response) => {
    if (response.status() < 300 || response.status() >= 400) bodies.push(response.text().catch(() => ""));
  });
  return async () => (await Promise.all(bodies)).join("\n");
}

test("a viewer's client-side navigation and the router's RSC requests carry no admin data", async ({
  page,
  staff,
  database,
}) => {
  const token = `hooktoken${randomBytes(6).toString("hex")}`;
  const deliveryError = `deliveryerror${randomBytes(6).toString("hex")}`;
  const webhook = await database.webhookSubscription.create({
    data: {
      url: `https://hooks.example.net/stock?token=${token}`,
      kinds: "all",
      secret: "whsec_e2e",
      cursor: 0,
      status: "paused",
      createdBy: "e2e@stockpulse.test",
      deliveries: { create: { eventCount: 1, statusCode: 500, error: deliveryError, latencyMs: 5 } },
    },
  });
  try {
    await signIn(page, await staff.viewer(), "/admin/products/new");
    await expect(page.getByRole("heading", { name: "Admins only" })).toBeVisible();
    const received = recordResponses(page);

    // A client-side navigation from inside the admin section: the router says it has the admin
    // layout already, so the server renders the page alone.
    for (const path of ["/admin/webhooks", `/admin/webhooks/${webhook.id}`]) {
      await page.evaluate(
        (to) => (window as unknown as { next: { router: { push(to: string): void } } }).next.router.push(to),
        path,
      );
      await expect(page).toHaveURL(path);
      await expect(page.getByRole("heading", { name: "Admins only" })).toBeVisible();
    }
    await expect(page.getByText(token)).toHaveCount(0);

    // The router's own RSC request, sent from the page with the viewer's cookie.
    const answers = await page.evaluate(async (id) => {
      const tree = (leaf: unknown[]) =>
        encodeURIComponent(JSON.stringify(["", { children: ["admin", { children: leaf }] }]));
      const texts: string[] = [];
      for (const [path, state] of [
        ["/admin/webhooks", tree(["__PAGE__", {}])],
        [`/admin/webhooks/${id}`, tree(["__PAGE__", {}])],
        [
          `/admin/webhooks/${id}`,
          tree(["webhooks", { children: [["id", String(id), "d", null], { children: ['__PAGE__?{"a":"1"}', {}] }] }]),
        ],
      ]) {
        const response = await fetch(`${path}?_rsc=probe`, { headers: { RSC: "1", "Next-Router-State-Tree": state } });
        texts.push(await response.text());
      }
      return texts.join("\n");
    }, webhook.id);
    const navigated = await received();
    expect(navigated.includes(token), "the navigation brought the webhook's token").toBe(false);
    expect(navigated.includes(deliveryError), "the navigation brought a delivery error").toBe(false);
    expect(answers.includes(token), "an RSC request got the webhook's token").toBe(false);
    expect(answers.includes(deliveryError), "an RSC request got a delivery error").toBe(false);
  } finally {
    await database.webhookSubscription.delete({ where: { id: webhook.id } });
  }
});

// Spellings a browser normalises to "//evil.example" (or another host) once it resolves them.
const HOSTILE_NEXT = [
  "/.//evil.example",
  "/..//evil.example",
  "/%2e%2E//evil.example",
  "/a/../..//evil.example",
  "/.\\/evil.example",
  "/%2e/\\evil.example",
];

test("signing in with a `next` that normalises to another site ends on our origin, and so does a signed-in visit", async ({
  context,
  baseURL,
  staff,
}) => {
  test.setTimeout(120_000);
  const left: string[] = [];
  await context.route(
    (url) => url.hostname === "evil.example",
    async (route) => {
      left.push(route.request().url());
      await route.fulfill({ status: 200, contentType: "text/html", body: "<h1>Somewhere else</h1>" });
    },
  );
  const admin = await staff.admin();
  const origin = new URL(baseURL!).origin;
  // Through the form: the sign-in page hands `next` to the router once the session is set.
  for (const next of HOSTILE_NEXT.slice(0, 3)) {
    await context.clearCookies();
    const page = await context.newPage();
    await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
    await page.getByLabel("Email").fill(admin.email);
    await page.getByLabel("Password").fill(admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Manage products" }), next).toBeVisible();
    expect(new URL(page.url()).origin, next).toBe(origin);
    await page.close();
  }
  // Signed in already: the sign-in page redirects the browser itself.
  const page = await context.newPage();
  for (const next of HOSTILE_NEXT) {
    await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
    await expect(page.getByRole("heading", { name: "Manage products" }), next).toBeVisible();
    expect(new URL(page.url()).origin, next).toBe(origin);
  }
  expect(left).toEqual([]);
});
