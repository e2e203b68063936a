import { expect, test, type Locator, type Page } from "@playwright/test";
import { feedConnections, openDashboard, patchProduct, row, signIn, viewer } from "./support";

test("the dashboard shows every product with price, stock and status badges", async ({ page }) => {
  await openDashboard(page);
  await expect(page.getByRole("heading", { name: "Products" })).toBeVisible();
  const { products } = await (await page.request.get("/api/v1/products")).json();
  await expect(page.getByRole("table")).toHaveAttribute("aria-rowcount", String(products.length + 1));
  await expect(row(page, 1)).toContainText("Espresso beans, 250 g");
  await expect(row(page, 1).getByTestId("price")).toHaveText("€8.99");
  await expect(row(page, 8)).toContainText("Out of stock");
  // README's screenshot: `UPDATE_SCREENSHOTS=1 npx playwright test -g "every product"` after a build.
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: "docs/dashboard.png" });
});

test("a change made through the API appears in the open page without a reload", async ({ page }) => {
  await openDashboard(page);
  let reloaded = false;
  page.on("framenavigated", () => (reloaded = true));
  await patchProduct(page, 2, { stock: 123, priceCents: 1399 });
  await expect(row(page, 2).getByTestId("stock")).toHaveText("123");
  await expect(row(page, 2).getByTestId("price")).toHaveText("€13.99");
  expect(reloaded).toBe(false);
});

test("crossing the low-stock threshold shows the badge live, and restocking removes it", async ({ page }) => {
  await openDashboard(page);
  await patchProduct(page, 4, { stock: 50, lowStockThreshold: 10 });
  await expect(row(page, 4)).not.toContainText("Low stock");
  await patchProduct(page, 4, { stock: 9 });
  await expect(row(page, 4)).toContainText("Low stock");
  await patchProduct(page, 4, { stock: 0 });
  await expect(row(page, 4)).toContainText("Out of stock");
  await patchProduct(page, 4, { stock: 40 });
  await expect(row(page, 4)).not.toContainText(/Low stock|Out of stock/);
});

test("the changed cell flashes with the direction of the change", async ({ page }) => {
  await openDashboard(page);
  const stock = row(page, 5).getByTestId("stock");
  await patchProduct(page, 5, { stock: 500 });
  await expect(stock).toHaveAttribute("data-change", "up");
  await expect(stock).toHaveAttribute("data-flash");
  await patchProduct(page, 5, { stock: 1 });
  await expect(stock).toHaveAttribute("data-change", "down");
  // The highlight goes after a moment, the arrow (and spoken direction) once the change is no
  // longer news.
  await expect(stock).not.toHaveAttribute("data-flash", /.*/, { timeout: 5_000 });
  await expect(stock).toHaveAttribute("data-change", "down");
  await expect(stock).not.toHaveAttribute("data-change", /.*/, { timeout: 10_000 });
});

test("search, sort and filter live in the URL, survive a reload and can be opened from a link", async ({ page }) => {
  await openDashboard(page);
  const names = page.locator("tbody tr td:nth-child(2)");

  await page.getByLabel("Search by name or SKU").fill("green");
  await expect(page).toHaveURL(/\?q=green$/);
  await expect(names).toHaveText(["Sencha green tea, 100 g"]);
  await page.getByLabel("Search by name or SKU").fill("TEA-CHA");
  await expect(names).toHaveText(["Masala chai blend, 200 g"]);
  await page.getByLabel("Search by name or SKU").fill("");

  await page.getByRole("button", { name: "Out of stock" }).click();
  await expect(page).toHaveURL(/filter=out/);
  const statuses = page.locator("tbody tr td:nth-child(5)");
  await expect(statuses.first()).toHaveText("Out of stock");
  for (const status of await statuses.allTextContents()) expect(status).toBe("Out of stock");

  await page.getByRole("button", { name: "All" }).click();
  await page.getByRole("button", { name: "Price" }).click();
  await expect(page).toHaveURL(/sort=price/);
  await page.getByRole("button", { name: "Price" }).click();
  await expect(page).toHaveURL(/sort=price&dir=desc/);
  // The rows in the DOM (those near the window; the rest are virtualised) come in price order.
  const prices = async () =>
    await page.locator("tbody tr[data-sku]").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-sku")));
  const { products } = await (await page.request.get("/api/v1/products")).json();
  const expected = [...products]
    .sort(
      (a: { priceCents: number; id: number }, b: { priceCents: number; id: number }) =>
        b.priceCents - a.priceCents || b.id - a.id,
    )
    .map((product: { sku: string }) => product.sku);
  const shown = await prices();
  expect(shown.length).toBeGreaterThan(20);
  expect(shown).toEqual(expected.slice(0, shown.length));

  await page.reload();
  await expect(page.getByRole("columnheader", { name: "Price" })).toHaveAttribute("aria-sort", "descending");
  const afterReload = await prices();
  expect(afterReload.length).toBeGreaterThan(20);
  expect(afterReload).toEqual(expected.slice(0, afterReload.length));

  await page.goto("/?q=chocolate&filter=low&sort=stock");
  await expect(page.getByLabel("Search by name or SKU")).toHaveValue("chocolate");
  await expect(page.getByRole("button", { name: "Low stock" })).toHaveAttribute("aria-pressed", "true");
  await expect(names).toHaveText(["Milk chocolate, 100 g"]);
});

test("the summary strip counts products, low and out of stock, and the stock value, live", async ({ page }) => {
  await openDashboard(page);
  const summary = page.getByTestId("summary");
  const value = async (label: string) => summary.locator("div", { hasText: label }).locator("dd").textContent();
  const lowBefore = Number(await value("Low stock"));
  const product = (await (await page.request.get("/api/v1/products/15")).json()) as { stock: number };
  expect(product.stock).toBeGreaterThan(30); // paper filters: not low yet
  await patchProduct(page, 15, { stock: 1, lowStockThreshold: 30 });
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

test("the status goes to reconnecting when the stream is cut, then back to live, catching up on changes made meanwhile", async ({
  page,
}) => {
  await openDashboard(page);
  await page.route("**/api/v1/stream/**", (route) => route.abort());
  await page.evaluate(() => window.stop()); // cuts the open stream
  await expect(page.getByTestId("connection-state")).toHaveAttribute("data-state", /reconnecting|offline/);
  await expect(page.getByText("Not live: these values may be out of date")).toBeVisible();

  const before = Number(await row(page, 13).getByTestId("stock").textContent());
  await patchProduct(page, 13, { stock: before + 7 });
  await page.waitForTimeout(500);
  await expect(row(page, 13).getByTestId("stock")).toHaveText(String(before)); // not live: not shown yet

  await page.unroute("**/api/v1/stream/**");
  await expect(page.getByTestId("connection-state")).toHaveAttribute("data-state", "live", { timeout: 20_000 });
  await expect(page.getByTestId("connection-state")).toContainText("caught up");
  await expect(row(page, 13).getByTestId("stock")).toHaveText(String(before + 7));
  await expect(page.getByText("Not live: these values may be out of date")).toHaveCount(0);
});

test("the product page charts stock and price and lists who changed what, both live", async ({ page }) => {
  await openDashboard(page);
  await page.getByRole("link", { name: "Electric burr grinder" }).click();
  await expect(page.getByRole("heading", { name: "Electric burr grinder" })).toBeVisible();
  await expect(page.getByTestId("connection-state")).toHaveAttribute("data-state", "live");
  const chart = page.getByTestId("stock-chart");
  const pointsBefore = Number((await chart.getAttribute("data-points")) ?? 0);

  await patchProduct(page, 10, { stock: 3 });
  await expect(page.getByTestId("detail-stock")).toHaveText("3");
  await expect(chart).toHaveAttribute("data-points", String(pointsBefore + 1));
  const latest = page.getByTestId("history").locator("tbody tr").first();
  await expect(latest).toContainText("Stock set to 3");
  // Who made a change is for staff and tokens only: an anonymous visitor sees the change, not who.
  await expect(latest).not.toContainText("api:default");

  await patchProduct(page, 10, { priceCents: 11999 });
  await expect(chart).toHaveAttribute("data-points", String(pointsBefore + 2));
  await expect(chart).toHaveAttribute("aria-label", /price from .* to €119\.99/);
  await expect(latest).toContainText("Price set to €119.99");

  await signIn(page, viewer());
  await page.goto("/products/10");
  await expect(page.getByTestId("history").locator("tbody tr").first()).toContainText("api:default");
});

test("eight open tabs are all live over one shared feed connection, and survive the leader closing", async ({
  context,
}) => {
  const tabs: Page[] = [];
  for (let i = 0; i < 8; i++) {
    const tab = await context.newPage();
    await openDashboard(tab);
    tabs.push(tab);
  }
  await expect.poll(() => feedConnections(tabs[0])).toBe(1);

  await patchProduct(tabs[0], 11, { stock: 71 });
  for (const tab of tabs) await expect(row(tab, 11).getByTestId("stock")).toHaveText("71");

  // The first tab leads (it took the lock first); when it closes another takes over.
  await tabs[0].close();
  const rest = tabs.slice(1);
  await patchProduct(rest[0], 11, { stock: 72 });
  for (const tab of rest) await expect(row(tab, 11).getByTestId("stock")).toHaveText("72");
  for (const tab of rest) await expect(tab.getByTestId("connection-state")).toHaveAttribute("data-state", "live");
  await expect.poll(() => feedConnections(rest[0])).toBe(1);
  for (const tab of rest) await tab.close();
});

test("keyboard only: search, filter, sort and open a product", async ({ page }) => {
  await openDashboard(page);
  /** Presses Tab until `target` has the focus, as someone without a mouse would. */
  const tabTo = async (target: Locator) => {
    for (let presses = 0; presses < 20; presses++) {
      await page.keyboard.press("Tab");
      if (await target.evaluate((element) => element === document.activeElement)) return;
    }
    throw new Error("could not reach the control with Tab");
  };
  await tabTo(page.getByLabel("Search by name or SKU"));
  await page.keyboard.type("tea");
  await expect(page).toHaveURL(/q=tea/);
  await tabTo(page.getByRole("button", { name: "Low stock" }));
  await page.keyboard.press("Space");
  await expect(page.getByRole("button", { name: "Low stock" })).toHaveAttribute("aria-pressed", "true");
  await expect(page).toHaveURL(/filter=low/);
  await tabTo(page.getByRole("button", { name: "Stock", exact: true }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/sort=stock/);
  await expect(page.getByRole("columnheader", { name: "Stock" })).toHaveAttribute("aria-sort", "ascending");
  const first = page.locator("tbody tr[aria-rowindex] a").first();
  const name = await first.textContent();
  await tabTo(first);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/products\/\d+$/);
  await expect(page.getByRole("heading", { name: name! })).toBeVisible();
});

test("on a phone the page does not scroll sideways and product, price and stock fit the screen", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openDashboard(page);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  for (const cell of [
    row(page, 1).getByRole("link"),
    row(page, 1).getByTestId("price"),
    row(page, 1).getByTestId("stock"),
  ]) {
    const box = (await cell.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
  }
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: "docs/dashboard-phone.png" });
});
