import type { Locator, Page } from "@playwright/test";
import { adminToken, expect, test } from "./fixtures";
import { feedConnections, openDashboard, row, signIn, signInAs } from "./support";

const names = (page: Page) => page.locator("tbody tr td:nth-child(2)");

test("the dashboard shows every product with price, stock and status badges", async ({ page, shop }) => {
  await openDashboard(page);
  await expect(page.getByRole("heading", { name: "Products" })).toBeVisible();
  const { products } = await (await page.request.get("/api/v1/products")).json();
  await expect(page.getByRole("table")).toHaveAttribute("aria-rowcount", String(products.length + 1));
  // README's screenshot: `UPDATE_SCREENSHOTS=1 npx playwright test -g "every product"` after a build.
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: "docs/dashboard.png" });

  const beans = await shop.product({ name: "Espresso beans, 250 g", priceCents: 899, stock: 40 });
  const empty = await shop.product({ name: "Cold brew bags, 10 pack", stock: 0 });
  await openDashboard(page, shop.dashboardPath);
  await expect(row(page, beans.id)).toContainText("Espresso beans, 250 g");
  await expect(row(page, beans.id).getByTestId("price")).toHaveText("€8.99");
  await expect(row(page, empty.id)).toContainText("Out of stock");
});

test("a change made through the API appears in the open page without a reload", async ({ page, shop }) => {
  const product = await shop.product({ stock: 20, priceCents: 999 });
  await openDashboard(page, shop.dashboardPath);
  let reloaded = false;
  page.on("framenavigated", () => (reloaded = true));
  await shop.patch(product.id, { stock: 123, priceCents: 1399 });
  await expect(row(page, product.id).getByTestId("stock")).toHaveText("123");
  await expect(row(page, product.id).getByTestId("price")).toHaveText("€13.99");
  expect(reloaded).toBe(false);
});

test("crossing the low-stock threshold shows the badge live, and restocking removes it", async ({ page, shop }) => {
  const product = await shop.product({ stock: 50, lowStockThreshold: 10 });
  await openDashboard(page, shop.dashboardPath);
  await expect(row(page, product.id)).not.toContainText("Low stock");
  await shop.patch(product.id, { stock: 9 });
  await expect(row(page, product.id)).toContainText("Low stock");
  await shop.patch(product.id, { stock: 0 });
  await expect(row(page, product.id)).toContainText("Out of stock");
  await expect(row(page, product.id)).not.toContainText("Low stock");
  await shop.patch(product.id, { stock: 40 });
  await expect(row(page, product.id)).not.toContainText(/Low stock|Out of stock/);
});

test("the changed cell flashes with the direction of the change", async ({ page, shop }) => {
  const product = await shop.product({ stock: 20 });
  // The page's clock is the test's: the highlight (1.5 s) and the arrow (5 s) are looked at on
  // set ticks of it, not raced in real time (a runner held up for 2 s on a busy machine missed
  // the highlight). Installed before the page loads, it runs on its own until paused.
  await page.clock.install();
  await openDashboard(page, shop.dashboardPath);
  await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1_000);
  const stock = row(page, product.id).getByTestId("stock");
  /** Waits for the change to reach the cell, stepping the paused clock a frame at a time (changes apply on a frame). */
  const shown = async (direction: "up" | "down") =>
    await expect
      .poll(async () => {
        await page.clock.runFor(16);
        return await stock.getAttribute("data-change");
      })
      .toBe(direction);

  await shop.patch(product.id, { stock: 500 });
  await shown("up");
  await expect(stock).toHaveAttribute("data-flash");
  await shop.patch(product.id, { stock: 1 });
  await shown("down");
  await expect(stock).toHaveAttribute("data-flash");
  // The highlight goes after a moment, the arrow (and spoken direction) once the change is no
  // longer news. The clock ticks each second: 2.6 s on, a tick has come at least 1.6 s after
  // the change; 6.1 s on, one at least 5.1 s after it.
  await page.clock.runFor(2_600);
  await expect(stock).not.toHaveAttribute("data-flash", /.*/);
  await expect(stock).toHaveAttribute("data-change", "down");
  await page.clock.runFor(3_500);
  await expect(stock).not.toHaveAttribute("data-change", /.*/);
});

test("a change the page first learns from its fresh snapshot is marked too, not only one from the feed", async ({
  page,
  shop,
}) => {
  const product = await shop.product({ stock: 20 });
  // The feed is cut, so the change reaches the page only through the snapshot it fetches once
  // loaded, held here until the change is made.
  await page.route("**/api/v1/stream/product-updates**", (route) => route.abort());
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/v1/products", async (route) => {
    await released;
    await route.continue();
  });
  await page.goto(shop.dashboardPath);
  const stock = row(page, product.id).getByTestId("stock");
  await expect(stock).toHaveText("20");
  await shop.patch(product.id, { stock: 500 });
  release();
  await expect(stock).toHaveText("500");
  await expect(stock).toHaveAttribute("data-change", "up");
});

test("search, sort and filter live in the URL, survive a reload and can be opened from a link", async ({
  page,
  shop,
}) => {
  const tea = await shop.product({ name: "Sencha green tea, 100 g", sku: "TEA-GRN", priceCents: 699, stock: 30 });
  const chai = await shop.product({ name: "Masala chai blend, 200 g", sku: "TEA-CHA", priceCents: 599, stock: 40 });
  const milk = await shop.product({ name: "Milk chocolate, 100 g", priceCents: 299, stock: 14, lowStockThreshold: 15 });
  const dark = await shop.product({ name: "Dark chocolate, 100 g", priceCents: 349, stock: 0 });
  const mug = await shop.product({ name: "Travel mug, 400 ml", priceCents: 2199, stock: 0 });
  // Enough rows that the price order below is checked on more than a handful.
  const more = [];
  for (let i = 0; i < 20; i++)
    more.push(await shop.product({ name: `Shelf item ${i}`, priceCents: 100 + ((i * 37) % 11) * 50 }));
  const mine = [tea, chai, milk, dark, mug, ...more];
  await openDashboard(page);

  const search = page.getByLabel("Search by name or SKU");
  await search.fill(`green tea, 100 g ${shop.tag}`);
  await expect(page).toHaveURL(/\?q=green\+tea%2C\+100\+g\+x[0-9a-f]+$/);
  await expect(names(page)).toHaveText([tea.name]);
  await search.fill(shop.sku("TEA-CHA")); // SKUs are found whatever the case
  await expect(names(page)).toHaveText([chai.name]);
  await search.fill(shop.tag);

  await page.getByRole("button", { name: "Out of stock" }).click();
  await expect(page).toHaveURL(/filter=out/);
  await expect(names(page)).toHaveText([dark.name, mug.name]);
  const statuses = page.locator("tbody tr").getByTestId("status");
  for (const status of await statuses.allTextContents()) expect(status).toBe("Out of stock");

  await page.getByRole("button", { name: "All" }).click();
  await page.getByRole("button", { name: "Price" }).click();
  await expect(page).toHaveURL(/sort=price/);
  await page.getByRole("button", { name: "Price" }).click();
  await expect(page).toHaveURL(/sort=price&dir=desc/);
  const skus = async () =>
    await page.locator("tbody tr[data-sku]").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-sku")));
  const expected = [...mine].sort((a, b) => b.priceCents - a.priceCents || b.id - a.id).map((product) => product.sku);
  await expect.poll(skus).toEqual(expected);
  expect(expected.length).toBeGreaterThan(20);

  await page.reload();
  await expect(page.getByRole("columnheader", { name: "Price" })).toHaveAttribute("aria-sort", "descending");
  await expect.poll(skus).toEqual(expected);

  // Low stock and out of stock exclude each other: the out-of-stock chocolate is not "low".
  await page.goto(`/?q=${encodeURIComponent(`chocolate, 100 g ${shop.tag}`)}&filter=low&sort=stock`);
  await expect(search).toHaveValue(`chocolate, 100 g ${shop.tag}`);
  await expect(page.getByRole("button", { name: "Low stock" })).toHaveAttribute("aria-pressed", "true");
  await expect(names(page)).toHaveText([milk.name]);
});

test("the summary strip counts products, low and out of stock, and the stock value (for staff), live", async ({
  page,
  shop,
  staff,
}) => {
  const product = await shop.product({ stock: 40, lowStockThreshold: 5 });
  await signInAs(page, staff, "viewer");
  await openDashboard(page);
  const summary = page.getByTestId("summary");
  const value = async (label: string) => summary.locator("div", { hasText: label }).locator("dd").textContent();
  const lowBefore = Number(await value("Low stock"));
  await shop.patch(product.id, { stock: 1, lowStockThreshold: 30 });
  await expect.poll(async () => Number(await value("Low stock"))).toBe(lowBefore + 1);
  const { products } = await (await page.request.get("/api/v1/products")).json();
  const total = products.reduce(
    (sum: number, p: { stock: number; priceCents: number }) => sum + p.stock * p.priceCents,
    0,
  );
  await expect(summary).toContainText(
    new Intl.NumberFormat("en-GB", { style: "currency", currency: "EUR" }).format(total / 100),
  );
});

test("the summary's low and out-of-stock counts are exactly the rows the two filters show", async ({ page, shop }) => {
  await shop.product({ name: "Nearly gone", stock: 2, lowStockThreshold: 5 });
  await shop.product({ name: "Sold out", stock: 0, lowStockThreshold: 5 });
  await openDashboard(page);
  const summary = page.getByTestId("summary");
  const figure = async (label: string) =>
    Number(await summary.locator("div", { hasText: label }).locator("dd").textContent());
  for (const label of ["Low stock", "Out of stock"]) {
    const counted = await figure(label);
    expect(counted).toBeGreaterThan(0);
    await page.getByRole("group", { name: "Filter" }).getByRole("button", { name: label }).click();
    await expect(page.getByRole("table")).toHaveAttribute("aria-rowcount", String(counted + 1));
    for (const status of await page.locator("tbody tr").getByTestId("status").allTextContents())
      expect(status).toBe(label);
  }
});

test("the status goes to reconnecting when the stream is cut, then back to live, catching up on changes made meanwhile", async ({
  page,
  shop,
}) => {
  const product = await shop.product({ stock: 20 });
  await openDashboard(page, shop.dashboardPath);
  let refused = 0;
  await page.route("**/api/v1/stream/**", (route) => {
    refused++;
    return route.abort();
  });
  await page.evaluate(() => window.stop()); // cuts the open stream
  await expect(page.getByTestId("connection-state")).toHaveAttribute("data-state", /reconnecting|offline/);
  await expect(page.getByText("Not live: these values may be out of date")).toBeVisible();

  await shop.patch(product.id, { stock: 27 });
  // Not live: the page tries the feed again after the change, is refused, and still shows the old value.
  const refusedBefore = refused;
  await expect.poll(() => refused, { timeout: 20_000 }).toBeGreaterThan(refusedBefore);
  await expect(row(page, product.id).getByTestId("stock")).toHaveText("20");

  await page.unroute("**/api/v1/stream/**");
  await expect(page.getByTestId("connection-state")).toHaveAttribute("data-state", "live", { timeout: 20_000 });
  await expect(page.getByTestId("connection-state")).toContainText("caught up");
  await expect(row(page, product.id).getByTestId("stock")).toHaveText("27");
  await expect(page.getByText("Not live: these values may be out of date")).toHaveCount(0);
});

test("the product page charts stock and price and lists who changed what, both live", async ({ page, shop, staff }) => {
  const grinder = await shop.product({ name: "Electric burr grinder", priceCents: 8999, stock: 12 });
  await openDashboard(page, shop.dashboardPath);
  await page.getByRole("link", { name: grinder.name }).click();
  await expect(page.getByRole("heading", { name: grinder.name })).toBeVisible();
  await expect(page.getByTestId("connection-state")).toHaveAttribute("data-state", "live");
  const chart = page.getByTestId("stock-chart");
  await expect(chart).toHaveAttribute("data-points", "1"); // its creation

  await shop.patch(grinder.id, { stock: 3 });
  await expect(page.getByTestId("detail-stock")).toHaveText("3");
  await expect(chart).toHaveAttribute("data-points", "2");
  const latest = page.getByTestId("history").locator("tbody tr").first();
  await expect(latest).toContainText("Stock -9 (12 → 3)");
  // Who made a change is for staff and tokens only: an anonymous visitor sees the change, not who.
  await expect(latest).not.toContainText("api:default");

  await shop.patch(grinder.id, { priceCents: 11999 });
  await expect(chart).toHaveAttribute("data-points", "3");
  await expect(chart).toHaveAttribute("aria-label", /price from .* to €119\.99/);
  await expect(latest).toContainText("Price €89.99 → €119.99");

  await signIn(page, await staff.viewer());
  await page.goto(`/products/${grinder.id}`);
  await expect(page.getByTestId("history").locator("tbody tr").first()).toContainText("api:default");
});

test("eight open tabs are all live over one shared feed connection, and survive the leader closing", async ({
  context,
  shop,
}) => {
  const product = await shop.product({ stock: 20 });
  const tabs: Page[] = [];
  for (let i = 0; i < 8; i++) {
    const tab = await context.newPage();
    await openDashboard(tab, shop.dashboardPath);
    tabs.push(tab);
  }
  await expect.poll(() => feedConnections(tabs[0])).toBe(1);

  await shop.patch(product.id, { stock: 71 });
  for (const tab of tabs) await expect(row(tab, product.id).getByTestId("stock")).toHaveText("71");

  // The first tab leads (it took the lock first); when it closes another takes over.
  await tabs[0].close();
  const rest = tabs.slice(1);
  await shop.patch(product.id, { stock: 72 });
  for (const tab of rest) await expect(row(tab, product.id).getByTestId("stock")).toHaveText("72");
  for (const tab of rest) await expect(tab.getByTestId("connection-state")).toHaveAttribute("data-state", "live");
  await expect.poll(() => feedConnections(rest[0])).toBe(1);
  for (const tab of rest) await tab.close();
});

test("keyboard only: search, filter, sort and open a product", async ({ page, shop }) => {
  await shop.product({ name: "Sencha green tea", stock: 3, lowStockThreshold: 5 });
  await shop.product({ name: "Earl grey tea", stock: 2, lowStockThreshold: 5 });
  await shop.product({ name: "Rooibos tea", stock: 60, lowStockThreshold: 5 });
  await openDashboard(page);
  /**
   * Presses Tab until `target` has the focus, as someone without a mouse would; fails once the
   * focus has been all the way round the page. Not a fixed number of presses: the stock alerts
   * panel comes first and holds as many links as the shared shop has recent alerts.
   */
  const tabTo = async (target: Locator) => {
    const focusable = await page.evaluate(
      () => document.querySelectorAll("a[href], button, input, select, textarea, [tabindex]").length,
    );
    for (let presses = 0; presses <= focusable + 1; presses++) {
      await page.keyboard.press("Tab");
      if (await target.evaluate((element) => element === document.activeElement)) return;
    }
    throw new Error("could not reach the control with Tab");
  };
  await tabTo(page.getByLabel("Search by name or SKU"));
  await page.keyboard.type(`tea ${shop.tag}`);
  await expect(page).toHaveURL(/q=tea/);
  await tabTo(page.getByRole("button", { name: "Low stock" }));
  await page.keyboard.press("Space");
  await expect(page.getByRole("button", { name: "Low stock" })).toHaveAttribute("aria-pressed", "true");
  await expect(page).toHaveURL(/filter=low/);
  await expect(names(page)).toHaveText([`Earl grey tea ${shop.tag}`, `Sencha green tea ${shop.tag}`]);
  await tabTo(page.getByRole("button", { name: "Stock", exact: true }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/sort=stock/);
  await expect(page.getByRole("columnheader", { name: "Stock" })).toHaveAttribute("aria-sort", "ascending");
  const first = page.locator("tbody tr[aria-rowindex] a").first();
  await expect(first).toHaveText(`Earl grey tea ${shop.tag}`);
  await tabTo(first);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/products\/\d+$/);
  await expect(page.getByRole("heading", { name: `Earl grey tea ${shop.tag}` })).toBeVisible();
});

test("keyboard only: the stock alerts can be skipped, however many there are", async ({ page, shop }) => {
  // Alerts in the panel (besides those the shared shop has): each is a link to pass otherwise.
  const products = await Promise.all(Array.from({ length: 3 }, () => shop.product({ stock: 5 })));
  for (const product of products) await shop.patch(product.id, { stock: 0 });
  await openDashboard(page);
  await expect(page.getByTestId("alerts-list").getByRole("link")).not.toHaveCount(0);
  const skip = page.getByRole("link", { name: "Skip the stock alerts to the products" });
  for (let presses = 0; !(await skip.evaluate((link) => link === document.activeElement)); presses++) {
    expect(presses, "the skip link comes before the alerts").toBeLessThan(20);
    await page.keyboard.press("Tab");
  }
  await expect(skip).toBeVisible();
  await page.keyboard.press("Enter");
  const search = page.getByLabel("Search by name or SKU");
  for (let presses = 0; !(await search.evaluate((input) => input === document.activeElement)); presses++) {
    expect(presses, "the search box is a few presses after the skip").toBeLessThan(5);
    await page.keyboard.press("Tab");
    const inAlerts = await page.getByTestId("alerts-panel").evaluate((panel) => panel.contains(document.activeElement));
    expect(inAlerts, "no stop in the alerts panel after the skip").toBe(false);
  }
});

test("on a phone the page does not scroll sideways and product, price and stock fit the screen", async ({
  page,
  shop,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openDashboard(page);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: "docs/dashboard-phone.png" });

  const product = await shop.product({ name: "Espresso beans, 250 g", priceCents: 899, stock: 40 });
  await openDashboard(page, shop.dashboardPath);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  for (const cell of [
    row(page, product.id).getByRole("link"),
    row(page, product.id).getByTestId("price"),
    row(page, product.id).getByTestId("stock"),
  ]) {
    const box = (await cell.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
  }
});

test("Needs reorder shows every product at or below its reorder level, and a sale brings one in live", async ({
  page,
  shop,
}) => {
  const sold = await shop.product({ name: "Sold out", stock: 0, lowStockThreshold: 5 });
  const at = await shop.product({ name: "At its level", stock: 5, lowStockThreshold: 5 });
  const above = await shop.product({ name: "Above its level", stock: 6, lowStockThreshold: 5 });
  await openDashboard(page, shop.dashboardPath);
  // Each product's reorder level is in its row, under its own column header.
  await expect(page.getByRole("columnheader", { name: "Reorder at" })).toBeVisible();
  await expect(row(page, above.id).getByTestId("reorder-at")).toHaveText("5");

  await page.getByRole("group", { name: "Filter" }).getByRole("button", { name: "Needs reorder" }).click();
  await expect(page).toHaveURL(/filter=reorder/);
  await expect(page.getByRole("button", { name: "Needs reorder" })).toHaveAttribute("aria-pressed", "true");
  await expect(names(page)).toHaveText([at.name, sold.name]);

  let reloaded = false;
  page.on("framenavigated", () => (reloaded = true));
  const sale = await page.request.post(`/api/v1/products/${above.id}/stock-adjustments`, {
    headers: { authorization: `Bearer ${adminToken()}` },
    data: { delta: -1, reason: "sale" },
  });
  expect(sale.status()).toBe(200);
  await expect(names(page)).toHaveText([above.name, at.name, sold.name]);
  await expect(row(page, above.id).getByTestId("stock")).toHaveText("5");
  expect(reloaded).toBe(false);

  // The view is in the URL: a reload (or the link shared) shows the same.
  await page.reload();
  await expect(page.getByRole("button", { name: "Needs reorder" })).toHaveAttribute("aria-pressed", "true");
  await expect(names(page)).toHaveText([above.name, at.name, sold.name]);
});

test("the summary's counts are links to their filters, marked while shown, with the view's address", async ({
  page,
  shop,
}) => {
  const sold = await shop.product({ name: "Sold out", stock: 0, lowStockThreshold: 5 });
  const low = await shop.product({ name: "Nearly gone", stock: 2, lowStockThreshold: 5 });
  const plenty = await shop.product({ name: "Plenty", stock: 60, lowStockThreshold: 5 });
  await openDashboard(page, `${shop.dashboardPath}&sort=stock`);
  const summary = page.getByTestId("summary");
  const card = (label: string) => summary.getByRole("link", { name: new RegExp(`^${label}: \\d+$`) });
  await expect(card("Products")).toHaveAttribute("aria-current", "true");

  await card("Out of stock").click();
  await expect(page).toHaveURL(/filter=out/);
  await expect(names(page)).toHaveText([sold.name]);
  await expect(card("Out of stock")).toHaveAttribute("aria-current", "true");
  await expect(card("Products")).not.toHaveAttribute("aria-current");
  await expect(page.getByRole("button", { name: "Out of stock" })).toHaveAttribute("aria-pressed", "true");

  // From the keyboard too; each link's address is its view, search and sort kept.
  await card("Low stock").focus();
  await page.keyboard.press("Enter");
  await expect(names(page)).toHaveText([low.name]);
  await expect(card("Low stock")).toHaveAttribute("aria-current", "true");
  const address = new URL((await card("Out of stock").getAttribute("href"))!, page.url());
  expect(Object.fromEntries(address.searchParams)).toEqual({ q: shop.tag, sort: "stock", filter: "out" });

  await card("Products").click();
  await expect(names(page)).toHaveText([sold.name, low.name, plenty.name]);
  await expect(page).not.toHaveURL(/filter=/);
  // The stock value is a figure, not a filter.
  await expect(summary.locator("div", { hasText: "Stock value" }).getByRole("link")).toHaveCount(0);
});
