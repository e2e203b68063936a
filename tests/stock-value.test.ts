// The dashboard's total stock value (stock x price over every product) is business information:
// only signed-in staff get it, unless the shop opts in with PUBLIC_STOCK_VALUE=true. Absent means
// absent from what the server sends (the HTML and the RSC payload a router fetches), not hidden
// by CSS. Signed out, the header has no "Admin" link either (sign-in has its own).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { signIn } from "./support/api";
import { formatMoney } from "../lib/money";
import { startStack, type Server, type Stack } from "../scripts/stack";

let stack: Stack;
let server: Server;
let optedIn: Server;
let viewerCookie = "";

before(async () => {
  stack = await startStack();
  [server, optedIn] = await Promise.all([
    stack.startServer(),
    stack.startServer({ env: { PUBLIC_STOCK_VALUE: "true" } }),
  ]);
  const email = `viewer-${randomBytes(4).toString("hex")}@stockpulse.test`;
  const password = await stack.addUser(email, "viewer");
  viewerCookie = (await signIn(server.baseUrl, email, password)).cookie;
});
after(async () => {
  await Promise.all([server?.stop(), optedIn?.stop()]);
  await stack?.stop();
});

/** The total as the dashboard shows it: every active product, in the default en-GB and EUR. */
async function stockValue() {
  const products = await stack.db.product.findMany({ where: { archivedAt: null } });
  const total = products.reduce((sum, product) => sum + product.stock * product.priceCents, 0);
  assert.ok(total > 0, "the seeded shop has stock worth something");
  return formatMoney(total, "en-GB", "EUR");
}

/** The dashboard as a browser loads it, and as a router fetches it (the RSC payload). */
async function dashboard(on: Server, cookie?: string) {
  const get = async (headers: Record<string, string>, query = "") => {
    const response = await fetch(`${on.baseUrl}/${query}`, { headers: { ...(cookie ? { cookie } : {}), ...headers } });
    assert.equal(response.status, 200);
    return response.text();
  };
  return { html: await get({}), rsc: await get({ rsc: "1" }, "?_rsc=value") };
}

const adminLink = /<a [^>]*href="\/admin"[^>]*>Admin<\/a>/;

describe("the dashboard's stock value", () => {
  test("nobody signed in: neither the value nor its label is in the HTML or the RSC payload, and no Admin link", async () => {
    const value = await stockValue();
    const { html, rsc } = await dashboard(server);
    assert.ok(html.includes("Out of stock"), "the summary strip is there");
    for (const [what, body] of [
      ["HTML", html],
      ["RSC", rsc],
    ]) {
      assert.ok(!body.includes(value), `${what} carries the stock value ${value}`);
      assert.ok(!body.includes("Stock value"), `${what} carries the label`);
    }
    assert.doesNotMatch(html, adminLink);
    assert.match(html, /href="\/sign-in"/);
  });

  test("a signed-in viewer sees the value and the Admin link", async () => {
    const { html } = await dashboard(server, viewerCookie);
    assert.ok(html.includes("Stock value"));
    assert.ok(html.includes(await stockValue()), "the value, formatted as the test expects");
    assert.match(html, adminLink);
  });

  test("PUBLIC_STOCK_VALUE=true shows it to everyone who may read the dashboard; the Admin link stays for staff", async () => {
    const { html } = await dashboard(optedIn);
    assert.ok(html.includes("Stock value"));
    assert.ok(html.includes(await stockValue()));
    assert.doesNotMatch(html, adminLink);
  });
});
