// One date format, from DISPLAY_LOCALE and DISPLAY_TIME_ZONE, on every page: two servers of a
// stack of this file's own, en-US in New York and de-DE in Berlin. Every <time> on the pages reads
// the same unambiguous way (month by name, the locale's clock, the zone), and the history's date
// filter counts days in the shop's zone, not in UTC.
import type { Page } from "@playwright/test";
import { startStack, type Server, type Stack } from "../scripts/stack";
import { formatDateTime } from "../lib/display-format";
import { expect, test } from "./fixtures";

let stack: Stack;
const shops: Array<{ locale: string; timeZone: string; server?: Server; sample: RegExp }> = [
  // "Mar 8, 2026, 11:30:00 PM EDT"
  {
    locale: "en-US",
    timeZone: "America/New_York",
    sample: /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2} [AP]M E[SD]T$/,
  },
  // "9. März 2026, 4:30:00 MEZ"
  { locale: "de-DE", timeZone: "Europe/Berlin", sample: /^\d{1,2}\. \p{L}{3,4}\.? \d{4}, \d{1,2}:\d{2}:\d{2} MES?Z$/u },
];

test.beforeAll(async () => {
  test.setTimeout(180_000);
  // The webhook page's subscription points at loopback, which webhooks otherwise refuse.
  stack = await startStack({ env: { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true" } });
  const servers = await Promise.all(
    shops.map(({ locale, timeZone }) =>
      stack.startServer({ env: { DISPLAY_LOCALE: locale, DISPLAY_TIME_ZONE: timeZone } }),
    ),
  );
  servers.forEach((server, i) => (shops[i].server = server));
});
test.afterAll(() => stack?.stop());

// Spaces as ICU writes them (a narrow no-break space before PM) read as plain spaces here.
const plain = (text: string) => text.replace(/\s+/g, " ").trim();

async function signIn(page: Page, server: Server) {
  await page.goto(`${server.baseUrl}/sign-in`);
  await page.getByLabel("Email").fill(stack.admin.email);
  await page.getByLabel("Password").fill(stack.admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Checking a password hash is slow on purpose, and slower on a busy machine.
  await expect(page.getByTestId("signed-in-as")).toContainText(stack.admin.email, { timeout: 15_000 });
}

/** A product with five stock changes at set moments around 9 March 2026 (reasons T1..T5). */
const MOMENTS = {
  T1: "2026-03-08T23:30:00Z", // Berlin: 9 March 00:30; New York: 8 March
  T2: "2026-03-09T03:30:00Z", // Berlin: 9 March; New York: 8 March 23:30
  T3: "2026-03-09T12:00:00Z", // 9 March everywhere
  T4: "2026-03-09T23:30:00Z", // Berlin: 10 March 00:30; New York: 9 March
  T5: "2026-03-10T02:00:00Z", // Berlin: 10 March; New York: 9 March 22:00
};
async function productWithDatedChanges(page: Page, server: Server, sku: string) {
  const headers = { authorization: `Bearer ${stack.adminToken}` };
  const created = await page.request.post(`${server.baseUrl}/api/v1/products`, {
    headers,
    data: { sku, name: `Tea ${sku}`, priceCents: 1250, stock: 20 },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: number };
  for (const reason of Object.keys(MOMENTS)) {
    const adjusted = await page.request.post(`${server.baseUrl}/api/v1/products/${id}/stock-adjustments`, {
      headers,
      data: { delta: 1, reason },
    });
    expect(adjusted.status(), await adjusted.text()).toBe(200);
  }
  for (const [reason, at] of Object.entries(MOMENTS)) {
    await stack.db.productEvent.updateMany({ where: { productId: id, reason }, data: { createdAt: new Date(at) } });
  }
  return id;
}

/** Every moment the page shows: the text of each <time>, or its title where the text is "5 min ago". */
async function shownTimes(page: Page) {
  return page.locator("time").evaluateAll((times) =>
    times.map((time) => ({
      at: time.getAttribute("datetime") ?? "",
      text: /ago|vor|now|jetzt/.test(time.textContent ?? "")
        ? (time.getAttribute("title") ?? "")
        : (time.textContent ?? ""),
    })),
  );
}

for (const shop of shops) {
  test(`${shop.locale} in ${shop.timeZone}: every date on the pages reads one way, in the shop's zone`, async ({
    page,
  }) => {
    test.setTimeout(150_000); // four pages on a stack of its own
    const server = shop.server!;
    const id = await productWithDatedChanges(page, server, `FMT-${shop.locale}`);
    const archived = await page.request.post(`${server.baseUrl}/api/v1/products/${id}/archive`, {
      headers: { authorization: `Bearer ${stack.adminToken}` },
      data: {},
    });
    expect(archived.status()).toBe(200);
    const webhook = await page.request.post(`${server.baseUrl}/api/v1/webhooks`, {
      headers: { authorization: `Bearer ${stack.adminToken}` },
      data: { url: "http://127.0.0.1:9/format" },
    });
    expect(webhook.status()).toBe(201);
    await signIn(page, server);

    const seen: string[] = [];
    for (const path of [`/products/${id}`, "/activity", "/", `/admin/webhooks/${(await webhook.json()).id}`]) {
      await page.goto(`${server.baseUrl}${path}`);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      // The history loads after the page: wait for its oldest change.
      if (path.startsWith("/products") || path === "/activity")
        await expect(page.getByRole("cell", { name: "T1", exact: true }).first()).toBeVisible();
      if (path !== "/") await expect(page.locator("time").first()).toBeVisible();
      for (const { at, text } of await shownTimes(page)) {
        expect(plain(text), `${path}: ${at}`).toMatch(shop.sample);
        expect(plain(text), `${path}: ${at}`).toBe(plain(formatDateTime(shop, Date.parse(at))));
        seen.push(path);
      }
    }
    // The product's history (five changes, its creation, the archiving) and its archive banner.
    expect(seen.filter((path) => path === `/products/${id}`).length).toBeGreaterThanOrEqual(8);
    expect(seen).toContain("/");
    // T2 is 8 March, 23:30 in New York and 9 March, 04:30 in Berlin: the zone is applied.
    await page.goto(`${server.baseUrl}/products/${id}`);
    const t2 = page.getByRole("row").filter({ hasText: "T2" }).locator("time");
    await expect(t2).toHaveText(
      shop.locale === "en-US" ? /^Mar 8, 2026, 11:30:00\sPM EDT$/ : /^9\. März 2026, 4:30:00 MEZ$/,
    );
  });

  test(`${shop.locale} in ${shop.timeZone}: the history's date filter picks the shop's days, not UTC's`, async ({
    page,
  }) => {
    test.setTimeout(120_000);
    const server = shop.server!;
    const id = await productWithDatedChanges(page, server, `DAY-${shop.locale}`);
    await signIn(page, server);
    await page.goto(`${server.baseUrl}/products/${id}`);
    await page.getByLabel(/^From/).fill("2026-03-09");
    await page.getByLabel("To (included)").fill("2026-03-09");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(/from=2026-03-09&to=2026-03-09/);
    const expected = shop.timeZone === "Europe/Berlin" ? ["T3", "T2", "T1"] : ["T5", "T4", "T3"];
    const why = page.getByTestId("history").locator("tbody tr td:last-child");
    await expect(why).toHaveText(expected);
    // The export asks for the same moments.
    const start = shop.timeZone === "Europe/Berlin" ? "2026-03-08T23:00:00.000Z" : "2026-03-09T04:00:00.000Z";
    await expect(page.getByRole("link", { name: "Export CSV" })).toHaveAttribute(
      "href",
      new RegExp(`from=${encodeURIComponent(start)}`),
    );
  });
}
