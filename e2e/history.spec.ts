// History an accountant can use: the product page and the shop-wide activity page page through
// the full history by cursor, filter by person, reason (in any case, with suggestions) and kind
// (kept in the URL), and download the filtered history as CSV; the dashboard downloads its
// current view in the order it shows.
import fs from "node:fs";
import { parse } from "csv-parse/sync";
import type { Page } from "@playwright/test";
import { adminToken, expect, test } from "./fixtures";
import { openDashboard, signIn } from "./support";

/** Clicks a link that downloads a file (a real browser download) and parses it as CSV. */
async function downloadCsv(page: Page, name: string | RegExp) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name }).click()]);
  const text = fs.readFileSync((await download.path())!, "utf8");
  return {
    filename: download.suggestedFilename(),
    rows: parse(text, { bom: true, columns: true }) as Array<Record<string, string>>,
  };
}

const historyRows = (page: Page) => page.getByTestId("history").locator("tbody tr");

test("the product page pages through its whole history, filters by person and kind, and exports it", async ({
  page,
  shop,
  staff,
}) => {
  const product = await shop.product({ stock: 500 });
  const admin = await staff.admin();
  await signIn(page, admin);
  await page.goto(`/products/${product.id}`);
  // 55 changes through the API (api:default) and 4 by the signed-in admin: 60 with "created".
  const headers = { authorization: `Bearer ${adminToken()}` };
  for (let i = 0; i < 55; i++) {
    const answer = await page.request.post(`/api/v1/products/${product.id}/stock-adjustments`, {
      headers,
      data: { delta: -1, reason: `sale ${i}` },
    });
    expect(answer.status()).toBe(200);
  }
  const origin = new URL(page.url()).origin;
  for (const data of [{ delta: 5, reason: "restock" }, { delta: -2 }, { delta: 1, reason: "found one" }]) {
    const answer = await page.request.post(`/api/v1/products/${product.id}/stock-adjustments`, {
      headers: { origin },
      data,
    });
    expect(answer.status()).toBe(200);
  }
  const price = await page.request.patch(`/api/v1/products/${product.id}`, {
    headers: { origin },
    data: { priceCents: 1234 },
  });
  expect(price.status()).toBe(200);

  await page.reload();
  await expect(historyRows(page)).toHaveCount(50);
  await expect(historyRows(page).first()).toContainText("Price €9.99 → €12.34");
  await page.getByRole("link", { name: "Older →" }).click();
  await expect(page).toHaveURL(/before=\d+/);
  await expect(historyRows(page)).toHaveCount(10);
  await expect(historyRows(page).last()).toContainText("Created with stock 500");
  await expect(page.getByRole("link", { name: "Older →" })).toHaveCount(0);
  await page.getByRole("link", { name: "← Newer" }).click();
  await expect(historyRows(page)).toHaveCount(50);
  await expect(historyRows(page).first()).toContainText("Price €9.99 → €12.34");

  // Person and kind: the filters land in the URL and survive a reload.
  await page.getByLabel("By person").fill(admin.email);
  await page.getByLabel("Stock changes").check();
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/actor=.*kind=stock/);
  await expect(historyRows(page)).toHaveCount(3);
  await page.reload();
  await expect(historyRows(page)).toHaveCount(3);
  for (const row of await historyRows(page).all()) await expect(row).toContainText(admin.email);
  await expect(page.getByLabel("Stock changes")).toBeChecked();

  const { filename, rows } = await downloadCsv(page, "Export CSV");
  expect(filename).toMatch(new RegExp(`^stockpulse-history-product-${product.id}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  expect(rows.map((row) => [row.kind, row.delta, row.actor, row.reason])).toEqual([
    ["stock", "1", admin.email, "found one"],
    ["stock", "-2", admin.email, ""],
    ["stock", "5", admin.email, "restock"],
  ]);

  await page.getByLabel("By person").fill("nobody@stockpulse.test");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByTestId("history-empty")).toContainText("No changes match these filters");
  await page.getByRole("link", { name: "Clear filters" }).click();
  await expect(historyRows(page)).toHaveCount(50);
});

test("the activity page shows the whole shop's changes to signed-in staff, filtered by person and kind", async ({
  page,
  shop,
  staff,
}) => {
  const beans = await shop.product({ name: "Espresso beans, 250 g", priceCents: 899, stock: 40 });
  const cups = await shop.product({ name: "Paper cups, 50 pack", priceCents: 450, stock: 12 });
  const admin = await staff.admin();
  await signIn(page, admin);
  await page.goto("/");
  const origin = new URL(page.url()).origin;
  const changes: Array<[number, Record<string, unknown>]> = [
    [beans.id, { delta: -3, reason: "sale" }],
    [cups.id, { delta: 24, reason: "delivery 2026-11" }],
  ];
  for (const [id, data] of changes) {
    const answer = await page.request.post(`/api/v1/products/${id}/stock-adjustments`, { headers: { origin }, data });
    expect(answer.status()).toBe(200);
  }
  expect(
    (
      await page.request.patch(`/api/v1/products/${beans.id}`, { headers: { origin }, data: { priceCents: 949 } })
    ).status(),
  ).toBe(200);

  await page.getByRole("link", { name: "Activity" }).click();
  await expect(page.getByRole("heading", { name: "Activity" })).toBeVisible();
  await page.getByLabel("By person").fill(admin.email);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(historyRows(page)).toHaveCount(3);
  await expect(historyRows(page).first()).toContainText("Espresso beans, 250 g");
  await expect(historyRows(page).first()).toContainText("Price €8.99 → €9.49");
  // README's screenshot: `UPDATE_SCREENSHOTS=1 npx playwright test -g "activity page"` after a build.
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: "docs/activity.png", fullPage: true });

  await page.getByLabel("Stock changes").check();
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(historyRows(page)).toHaveCount(2);
  const { filename, rows } = await downloadCsv(page, "Export CSV");
  expect(filename).toMatch(/^stockpulse-history-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(rows.map((row) => [row.name, row.delta, row.stock, row.reason, row.actor])).toEqual([
    [cups.name, "24", "36", "delivery 2026-11", admin.email],
    [beans.name, "-3", "37", "sale", admin.email],
  ]);

  // Without signing in, the page shows the changes but not who and why, and has no person filter.
  await page.context().clearCookies();
  await page.goto("/activity");
  await expect(page.getByRole("link", { name: "Activity" })).toHaveCount(0);
  await expect(page.getByLabel("By person")).toHaveCount(0);
  await expect(historyRows(page).first()).toBeVisible();
});

test("the activity page finds a person by part of the email and a reason in any case, and suggests both", async ({
  page,
  shop,
  staff,
}) => {
  const beans = await shop.product({ name: "Espresso beans, 250 g", stock: 40 });
  const admin = await staff.admin();
  await signIn(page, admin);
  const origin = new URL(page.url()).origin;
  for (const data of [
    { delta: -3, reason: "sale" },
    { delta: 10, reason: "restock" },
    { delta: -1, reason: "sale" },
  ]) {
    const answer = await page.request.post(`/api/v1/products/${beans.id}/stock-adjustments`, {
      headers: { origin },
      data,
    });
    expect(answer.status()).toBe(200);
  }

  await page.goto("/activity");
  // Suggestions: the people and reasons there are.
  await expect(page.getByTestId("history-actors").locator(`option[value="${admin.email}"]`)).toHaveCount(1);
  await expect(page.getByTestId("history-reasons").locator('option[value="sale"]')).toHaveCount(1);
  await expect(page.getByLabel("By person")).toHaveAttribute("list", "history-actors");
  await expect(page.getByLabel("By reason")).toHaveAttribute("list", "history-reasons");

  // "Sale" as the stock forms label it finds the events recorded as "sale"; the person by the
  // start of the email, in capitals.
  const part = admin.email.split("@")[0].toUpperCase();
  await page.getByLabel("By person").fill(part);
  await page.getByLabel("By reason").fill("Sale");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/reason=Sale/);
  await expect(historyRows(page)).toHaveCount(2);
  for (const row of await historyRows(page).all()) {
    await expect(row).toContainText(beans.name);
    await expect(row).toContainText(admin.email);
    await expect(row).toContainText("sale");
  }
  await page.reload();
  await expect(historyRows(page)).toHaveCount(2);
  await expect(page.getByLabel("By reason")).toHaveValue("Sale");

  // Signed out: neither the fields nor their suggestions, and no request for them.
  await page.context().clearCookies();
  const asked: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/api/v1/events/suggestions")) asked.push(request.url());
  });
  await page.goto("/activity");
  await expect(historyRows(page).first()).toBeVisible();
  await expect(page.getByLabel("By reason")).toHaveCount(0);
  await expect(page.getByTestId("history-actors")).toHaveCount(0);
  expect(asked).toEqual([]);
});

test("each change says what it changed, field by field before → after, with who and why: product page, admin page, activity page and a phone", async ({
  page,
  shop,
  staff,
}) => {
  const tea = await shop.product({ name: "Tea", priceCents: 899, stock: 23, lowStockThreshold: 5 });
  const admin = await staff.admin();
  await signIn(page, admin);
  await page.goto(`/products/${tea.id}`);
  const origin = new URL(page.url()).origin;
  const write = async (method: "post" | "patch", path: string, data: Record<string, unknown>) => {
    const answer = await page.request[method](path, { headers: { origin }, data });
    expect(answer.status(), await answer.text()).toBe(200);
  };
  await write("post", `/api/v1/products/${tea.id}/stock-adjustments`, { delta: 50, reason: "delivery" });
  await write("patch", `/api/v1/products/${tea.id}`, { priceCents: 949 });
  await write("patch", `/api/v1/products/${tea.id}`, { name: `Green tea ${shop.tag}`, lowStockThreshold: 3 });

  /** The newest three changes of the table on the page: each lists only what it changed. */
  async function expectChanges(rows: ReturnType<typeof historyRows>) {
    const [renamed, repriced, delivered] = [rows.nth(0), rows.nth(1), rows.nth(2)];
    await expect(renamed.getByTestId("change-list").getByRole("listitem")).toHaveText([
      `Name 'Tea ${shop.tag}' → 'Green tea ${shop.tag}'`,
      "Low-stock threshold 5 → 3",
    ]);
    await expect(repriced.getByTestId("change-list").getByRole("listitem")).toHaveText(["Price €8.99 → €9.49"]);
    await expect(delivered.getByTestId("change-list").getByRole("listitem")).toHaveText(["Stock +50 (23 → 73)"]);
    await expect(delivered).toContainText(admin.email);
    await expect(delivered).toContainText("delivery");
  }

  await page.reload();
  await expectChanges(historyRows(page));
  await page.goto(`/admin/products/${tea.id}`);
  await expectChanges(historyRows(page));
  await page.goto(`/activity?actor=${encodeURIComponent(admin.email)}`);
  await expectChanges(historyRows(page));

  // On a 360 px phone the product, who and why sit in "What": the table fits without scrolling sideways.
  await page.setViewportSize({ width: 360, height: 800 });
  for (const path of [`/products/${tea.id}`, `/activity?actor=${encodeURIComponent(admin.email)}`]) {
    await page.goto(path);
    const delivered = historyRows(page).nth(2);
    await expect(delivered.getByTestId("change-by")).toBeVisible();
    await expect(delivered.getByTestId("change-by")).toHaveText(`by ${admin.email} · why: delivery`);
    await expect(page.getByRole("columnheader", { name: "Who" })).toBeHidden();
    const frame = page.getByRole("region", { name: "Changes" });
    expect(await frame.evaluate((element) => element.scrollWidth - element.clientWidth), path).toBeLessThanOrEqual(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(360);
  }
  await expect(
    historyRows(page)
      .first()
      .getByRole("link", { name: `Green tea ${shop.tag}` }),
  ).toBeVisible();
});

test("the dashboard's Export CSV downloads its current view in the order it shows", async ({ page, shop }) => {
  for (const [name, stock] of [
    ["item 10", 5],
    ["Item 9", 0],
    ["Élan", 7],
    ["apple", 3],
    ["zebra", 0],
    ["Item 2", 9],
  ] as const)
    await shop.product({ name, stock, priceCents: 100 + stock });
  for (const view of ["&sort=name", "&sort=name&dir=desc", "&sort=sku&dir=desc", "&sort=stock", "&filter=out"]) {
    await openDashboard(page, `${shop.dashboardPath}${view}`);
    const shown = await page
      .locator('[data-testid^="product-row-"]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-sku")));
    expect(shown.length).toBeGreaterThan(0);
    const { rows } = await downloadCsv(page, "Export CSV");
    expect(
      rows.map((row) => row.sku),
      view,
    ).toEqual(shown);
  }
});
