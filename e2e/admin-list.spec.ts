// The admin list: the dashboard's table made selectable, with a bar that adjusts or sets the
// stock of every selected product in one all-or-nothing bulk request.
import type { APIRequestContext, Page } from "@playwright/test";
import { MAX_BULK_ITEMS } from "../lib/products/validation";
import { adminToken, expect, test } from "./fixtures";
import { openDashboard, row, signIn, waitLive } from "./support";

const api = () => ({ authorization: `Bearer ${adminToken()}` });

async function stockOf(request: APIRequestContext, id: number): Promise<number> {
  const response = await request.get(`/api/v1/products/${id}`, { headers: api() });
  return (await response.json()).stock;
}

async function historyOf(request: APIRequestContext, id: number) {
  const response = await request.get(`/api/v1/products/${id}/events`, { headers: api() });
  return (await response.json()).events as Array<{ delta: number | null; reason: string | null; actor: string }>;
}

const bar = (page: Page) => page.getByRole("form", { name: "Change the selected products" });

/** Fills the bulk bar: "Adjust by" or "Set to", the amount and a reason (a listed one or free text). */
async function fillBar(page: Page, mode: "Adjust by" | "Set to", amount: string, reason: string) {
  await bar(page).getByLabel(mode).check();
  await bar(page)
    .getByLabel(mode === "Adjust by" ? "Amount (+/-)" : "New stock")
    .fill(amount);
  const listed = ["restock", "return", "correction", "sale", "damage"].includes(reason);
  await bar(page)
    .getByLabel("Reason", { exact: true })
    .selectOption(listed ? reason : "other");
  if (!listed) await bar(page).getByLabel("Other reason").fill(reason);
}

test("an admin searches, selects products and adds 5 to each: live on the dashboard, with the reason in every history", async ({
  page,
  browser,
  shop,
  staff,
}) => {
  const teas = [
    await shop.product({ name: "Green tea, 100 g", sku: "TEA-1", stock: 10 }),
    await shop.product({ name: "Black tea, 100 g", sku: "TEA-2", stock: 20 }),
    await shop.product({ name: "White tea, 50 g", sku: "TEA-3", stock: 30 }),
  ];
  const coffee = await shop.product({ name: "Coffee beans, 1 kg", sku: "COF-1", stock: 7 });
  const dashboard = await browser.newPage();
  await openDashboard(dashboard, shop.dashboardPath);

  const admin = await staff.admin();
  await signIn(page, admin);
  await waitLive(page);
  await page.getByLabel("Search by name or SKU").fill(shop.sku("TEA"));
  await expect(page).toHaveURL(new RegExp(`q=${shop.sku("TEA")}`));
  const table = page.getByRole("table");
  await expect(table).toHaveAttribute("aria-rowcount", "4");
  await expect(row(page, coffee.id)).toHaveCount(0);

  // One ticked: the header's box is partly ticked; ticking it selects the rest of the view.
  const selectAll = page.getByRole("checkbox", { name: "Select all 3 shown" });
  await page.getByRole("checkbox", { name: `Select ${teas[1].name}` }).check();
  await expect(page.getByTestId("selection-count")).toHaveText("1 of 3 shown selected");
  await expect(selectAll).toHaveJSProperty("indeterminate", true);
  await selectAll.check();
  await expect(selectAll).toHaveJSProperty("indeterminate", false);
  await expect(page.getByTestId("selection-count")).toHaveText("3 of 3 shown selected");
  for (const tea of teas) await expect(row(page, tea.id)).toHaveAttribute("data-selected", "");

  // Without a reason nothing is sent.
  await fillBar(page, "Adjust by", "+5", "");
  await bar(page).getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("bulk-outcome")).toHaveText("Say why: pick a reason or type one.");
  expect(await stockOf(page.request, teas[0].id)).toBe(10);

  await fillBar(page, "Adjust by", "+5", "delivery 1042");
  await bar(page).getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("bulk-outcome")).toHaveText("Adjusted 3 products by +5 (delivery 1042).");
  // README's screenshot: `UPDATE_SCREENSHOTS=1 npx playwright test e2e/admin-list.spec.ts -g "adds 5"` after a build.
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: "docs/admin.png" });

  for (const [i, tea] of teas.entries()) {
    await expect(row(dashboard, tea.id).getByTestId("stock")).toHaveText(String(10 * (i + 1) + 5));
    await expect(row(page, tea.id).getByTestId("stock")).toHaveText(String(10 * (i + 1) + 5));
    const [latest] = await historyOf(page.request, tea.id);
    expect(latest).toMatchObject({ delta: 5, reason: "delivery 1042", actor: admin.email });
  }
  await expect(row(dashboard, coffee.id).getByTestId("stock")).toHaveText("7");
  // The selection stays through the live updates, ready for another change.
  await expect(page.getByTestId("selection-count")).toHaveText("3 of 3 shown selected");
  await dashboard.close();
});

test("set to: a shift-click range, one product already at the count, and a selection cleared of products the search hides", async ({
  page,
  shop,
  staff,
}) => {
  const jars = [
    await shop.product({ name: "Jar A", sku: "JAR-A", stock: 3 }),
    await shop.product({ name: "Jar B", sku: "JAR-B", stock: 12 }),
    await shop.product({ name: "Jar C", sku: "JAR-C", stock: 40 }),
    await shop.product({ name: "Jar D", sku: "JAR-D", stock: 9 }),
  ];
  await signIn(page, await staff.admin(), `/admin?q=${shop.tag}&sort=name`);
  await waitLive(page);

  // A to C by shift-click: three rows; D stays out.
  await page.getByRole("checkbox", { name: `Select ${jars[0].name}` }).click();
  await page.getByRole("checkbox", { name: `Select ${jars[2].name}` }).click({ modifiers: ["Shift"] });
  await expect(page.getByTestId("selection-count")).toHaveText("3 of 4 shown selected");
  await expect(row(page, jars[3].id)).not.toHaveAttribute("data-selected", "");

  await fillBar(page, "Set to", "12", "correction");
  const sent = page.waitForRequest((request) => request.url().endsWith("/api/v1/stocktakes"));
  await bar(page).getByRole("button", { name: "Apply" }).click();
  // Each count goes with the stock it was set against, so a sale meanwhile makes it a conflict.
  expect((await sent).postDataJSON().items).toEqual(
    jars.slice(0, 3).map((jar) => ({ productId: jar.id, count: 12, expectedStock: jar.stock })),
  );
  await expect(page.getByTestId("bulk-outcome")).toHaveText(
    "Set 3 products to 12 (correction); 1 product already had 12.",
  );
  for (const jar of jars.slice(0, 3)) await expect(row(page, jar.id).getByTestId("stock")).toHaveText("12");
  expect(await stockOf(page.request, jars[3].id)).toBe(9);
  const [set] = await historyOf(page.request, jars[0].id);
  expect(set).toMatchObject({ delta: 9, reason: "correction" });

  // The search hides A and B: they leave the selection, and the page says so.
  await page.getByLabel("Search by name or SKU").fill(`${shop.sku("JAR-C")}`);
  await expect(page.getByTestId("selection-count")).toHaveText("1 of 1 shown selected");
  await expect(bar(page)).toContainText("2 selected products are no longer shown and were unselected.");
  await page.getByLabel("Search by name or SKU").fill(shop.tag);
  await expect(page.getByTestId("selection-count")).toHaveText("1 of 4 shown selected");
});

test("the selection survives re-sorting and live changes; a product a live change takes out of the filter is unselected, with a note", async ({
  page,
  shop,
  staff,
}) => {
  const low = [
    await shop.product({ name: "Filter papers", stock: 2, lowStockThreshold: 5 }),
    await shop.product({ name: "Descaler", stock: 3, lowStockThreshold: 5 }),
    await shop.product({ name: "Milk jug", stock: 4, lowStockThreshold: 5 }),
  ];
  await signIn(page, await staff.admin(), `/admin?q=${shop.tag}&filter=low`);
  await waitLive(page);
  await page.getByRole("checkbox", { name: "Select all 3 shown" }).check();

  // Sorted another way and changed live (still low): the same three stay selected.
  await page.getByRole("button", { name: "Stock", exact: true }).click();
  await expect(page).toHaveURL(/sort=stock/);
  await shop.patch(low[0].id, { stock: 1 });
  await expect(row(page, low[0].id).getByTestId("stock")).toHaveText("1");
  await expect(page.getByTestId("selection-count")).toHaveText("3 of 3 shown selected");
  for (const product of low) await expect(row(page, product.id)).toHaveAttribute("data-selected", "");

  // Restocked elsewhere, the jug is no longer low: it leaves the view and the selection.
  await shop.patch(low[2].id, { stock: 50 });
  await expect(row(page, low[2].id)).toHaveCount(0);
  await expect(page.getByTestId("selection-count")).toHaveText("2 of 2 shown selected");
  await expect(bar(page)).toContainText("1 selected product is no longer shown and was unselected.");
});

test("a selection where one product would go below zero is refused: the product is named, its row marked, nothing changed", async ({
  page,
  shop,
  staff,
}) => {
  const plenty = await shop.product({ name: "Paper cups", stock: 50 });
  const scarce = await shop.product({ name: "Glass carafe", stock: 2 });
  const more = await shop.product({ name: "Paper lids", stock: 40 });
  await signIn(page, await staff.admin(), `/admin?q=${shop.tag}`);
  await waitLive(page);
  await page.getByRole("checkbox", { name: "Select all 3 shown" }).check();
  await fillBar(page, "Adjust by", "-5", "sale");
  await bar(page).getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("bulk-outcome")).toHaveText(
    `Not applied, nothing was changed: ${scarce.name} (${scarce.sku}): it has 2 in stock and cannot go below 0.`,
  );
  await expect(row(page, scarce.id)).toHaveAttribute("data-flagged", "");
  await expect(row(page, plenty.id)).not.toHaveAttribute("data-flagged", "");
  expect(await stockOf(page.request, plenty.id)).toBe(50);
  expect(await stockOf(page.request, scarce.id)).toBe(2);
  expect(await stockOf(page.request, more.id)).toBe(40);
  expect((await historyOf(page.request, plenty.id)).some((event) => event.reason === "sale")).toBe(false);
});

test("Apply waits visibly, and a retry after a lost answer sends the same Idempotency-Key and applies once", async ({
  page,
  shop,
  staff,
}) => {
  const bottle = await shop.product({ name: "Water bottle", stock: 10 });
  await signIn(page, await staff.admin(), `/admin?q=${shop.tag}`);
  await waitLive(page);
  await page.getByRole("checkbox", { name: `Select ${bottle.name}` }).check();
  await fillBar(page, "Adjust by", "+5", "restock");

  // The first answer is lost on the way back: the server applied it, the page saw a network error.
  const keys: string[] = [];
  let answer!: () => void;
  const held = new Promise<void>((resolve) => (answer = resolve));
  await page.route("**/api/v1/stock-adjustments", async (route) => {
    keys.push(route.request().headers()["idempotency-key"]);
    if (keys.length > 1) return route.continue();
    await route.fetch();
    await held;
    await route.abort("connectionreset");
  });
  const apply = bar(page).getByRole("button", { name: /Apply/ });
  await apply.click();
  await expect(apply).toHaveText("Applying…");
  await expect(apply).toBeDisabled();
  answer();
  await expect(page.getByTestId("bulk-outcome")).toContainText("may or may not have been applied");
  await expect(row(page, bottle.id).getByTestId("stock")).toHaveText("15");

  await apply.click();
  await expect(page.getByTestId("bulk-outcome")).toHaveText("Adjusted 1 product by +5 (restock).");
  expect(keys).toHaveLength(2);
  expect(keys[1]).toBe(keys[0]);
  expect(await stockOf(page.request, bottle.id)).toBe(15);

  // A new change is a new request with a new key.
  await apply.click();
  await expect(page.getByTestId("bulk-outcome")).toHaveText("Adjusted 1 product by +5 (restock).");
  await expect(row(page, bottle.id).getByTestId("stock")).toHaveText("20");
  expect(keys).toHaveLength(3);
  expect(keys[2]).not.toBe(keys[0]);
});

test("a viewer cannot see the admin list", async ({ page, shop, staff }) => {
  await shop.product();
  await signIn(page, await staff.viewer(), `/admin?q=${shop.tag}`);
  await expect(page.getByRole("heading", { name: "Admins only" })).toBeVisible();
  await expect(page.getByRole("checkbox")).toHaveCount(0);
  await expect(page.getByRole("table")).toHaveCount(0);
});

test("a large shop stays virtualised in the admin list, and select-all selects every product shown", async ({
  page,
  request,
  shop,
  staff,
}) => {
  test.setTimeout(180_000);
  const ADDED = 300;
  // Created over the API a few dozen at a time (the server takes them concurrently).
  const added: Array<{ id: number; name: string }> = [];
  for (let start = 0; start < ADDED; start += 25) {
    const batch = Array.from({ length: Math.min(25, ADDED - start) }, (_, i) => {
      const number = String(start + i).padStart(3, "0");
      return request.post("/api/v1/products", {
        headers: api(),
        data: { name: `Bulk item ${number} ${shop.tag}`, sku: shop.sku(`B${number}`), priceCents: 100, stock: 50 },
      });
    });
    for (const response of await Promise.all(batch)) {
      expect(response.status()).toBe(201);
      added.push(await response.json());
    }
  }
  added.sort((a, b) => a.name.localeCompare(b.name));

  await signIn(page, await staff.admin(), `/admin?q=${shop.tag}`);
  await waitLive(page);
  await expect(page.getByRole("table")).toHaveAttribute("aria-rowcount", String(ADDED + 1));
  expect(await page.locator("tbody tr[aria-rowindex]").count()).toBeLessThan(ADDED);

  await page.getByRole("checkbox", { name: `Select all ${ADDED} shown` }).check();
  await expect(page.getByTestId("selection-count")).toHaveText(`${ADDED} of ${ADDED} shown selected`);
  await fillBar(page, "Adjust by", "+1", "restock");
  await bar(page).getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("bulk-outcome")).toHaveText(`Adjusted ${ADDED} products by +1 (restock).`);

  // Rows rendered only once scrolled to were selected too, and changed.
  const last = added[ADDED - 1];
  await expect(row(page, last.id)).toHaveCount(0);
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await expect(row(page, last.id).getByRole("checkbox", { name: `Select ${last.name}` })).toBeChecked();
  await expect(row(page, last.id).getByTestId("stock")).toHaveText("51");
  const { products } = await (await request.get("/api/v1/products", { headers: api() })).json();
  const ours = (products as Array<{ sku: string; stock: number }>).filter((product) =>
    product.sku.startsWith(shop.sku("B")),
  );
  expect(ours).toHaveLength(ADDED);
  expect(ours.every((product) => product.stock === 51)).toBe(true);
});

test("a selection over the bulk limit says so and cannot be applied until it is within it", async ({
  page,
  shop,
  staff,
  database,
}) => {
  test.setTimeout(180_000);
  // One more than a bulk request may carry, straight into the database (one statement, whatever
  // the limit), and removed again so later tests' pages do not carry them.
  const over = MAX_BULK_ITEMS + 1;
  const sku = (i: number) => shop.sku(`CAP-${String(i).padStart(5, "0")}`);
  await database.product.createMany({
    data: Array.from({ length: over }, (_, i) => ({
      sku: sku(i),
      name: `Cap item ${String(i).padStart(5, "0")} ${shop.tag}`,
      priceCents: 100,
      stock: 5,
    })),
  });
  try {
    await signIn(page, await staff.admin(), `/admin?q=${shop.tag}`);
    await waitLive(page);
    await page.getByRole("checkbox", { name: `Select all ${over} shown` }).check();
    const limit = bar(page).getByRole("alert");
    await expect(limit).toHaveText(
      `${over.toLocaleString("en")} products selected: at most ${MAX_BULK_ITEMS.toLocaleString("en")} can be changed at once. Narrow the search or filter, or unselect some.`,
    );
    await expect(bar(page).getByRole("button", { name: "Apply" })).toBeDisabled();

    const first = page.locator("tbody tr[aria-rowindex]").first();
    await first.getByRole("checkbox").uncheck();
    await expect(limit).toHaveCount(0);
    await expect(bar(page).getByRole("button", { name: "Apply" })).toBeEnabled();
  } finally {
    await database.product.deleteMany({ where: { sku: { startsWith: shop.sku("CAP-") } } });
  }
});

test("select-all, then a selected product is archived elsewhere: it leaves the selection with a note, Apply changes the rest", async ({
  page,
  request,
  shop,
  staff,
}) => {
  const kept = [
    await shop.product({ name: "Tea tin", stock: 10 }),
    await shop.product({ name: "Tea scoop", stock: 20 }),
  ];
  const retired = await shop.product({ name: "Tea cosy", stock: 30 });
  await signIn(page, await staff.admin(), `/admin?q=${shop.tag}`);
  await waitLive(page);
  await page.getByRole("checkbox", { name: "Select all 3 shown" }).check();
  await fillBar(page, "Adjust by", "+1", "restock");

  const archived = await request.post(`/api/v1/products/${retired.id}/archive`, { headers: api() });
  expect(archived.status(), await archived.text()).toBe(200);
  await expect(row(page, retired.id)).toHaveCount(0);
  await expect(page.getByTestId("selection-count")).toHaveText("2 of 2 shown selected");
  await expect(bar(page)).toContainText("1 selected product is no longer shown and was unselected.");

  await bar(page).getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("bulk-outcome")).toHaveText("Adjusted 2 products by +1 (restock).");
  expect(await stockOf(page.request, kept[0].id)).toBe(11);
  expect(await stockOf(page.request, kept[1].id)).toBe(21);
  expect(await stockOf(page.request, retired.id)).toBe(30);
});

test("select-all, then Apply before the feed tells the page a selected product was archived: refused by name, nothing changed", async ({
  page,
  shop,
  staff,
  database,
}) => {
  const kept = await shop.product({ name: "Coffee tin", stock: 10 });
  const retired = await shop.product({ name: "Coffee cosy", stock: 30 });
  await signIn(page, await staff.admin(), `/admin?q=${shop.tag}`);
  await waitLive(page);
  await page.getByRole("checkbox", { name: "Select all 2 shown" }).check();
  // Archived straight in the database: no event, as if the page's feed had not delivered it yet.
  await database.product.update({
    where: { id: retired.id },
    data: { archivedAt: new Date(), version: { increment: 1 } },
  });
  try {
    await fillBar(page, "Adjust by", "+1", "restock");
    await bar(page).getByRole("button", { name: "Apply" }).click();
    await expect(page.getByTestId("bulk-outcome")).toContainText(
      `Not applied, nothing was changed: ${retired.name} (${retired.sku}): it has been archived meanwhile; unselect it, or restore it first.`,
    );
    await expect(row(page, retired.id)).toHaveAttribute("data-flagged", "");
    expect(await stockOf(page.request, kept.id)).toBe(10);
    expect(await stockOf(page.request, retired.id)).toBe(30);
  } finally {
    await database.product.update({ where: { id: retired.id }, data: { archivedAt: null } });
  }
});
