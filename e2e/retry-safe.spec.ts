// A write whose answer is lost may have been applied: the page says so, and sending it again
// reuses its Idempotency-Key, so it applies once (not a second restock, nor a second product). And the keys are made on plain-HTTP pages too, where a shop's
// own server often runs and where crypto.randomUUID does not exist.
import type { APIRequestContext, Page } from "@playwright/test";
import { CHROMIUM_ARGS, findChromium } from "../scripts/find-chromium";
import { adminToken, expect, test } from "./fixtures";
import { openDashboard, row, signIn, waitLive } from "./support";

const NO_ANSWER = "No answer from the server: the change may or may not have been applied.";

/**
 * The first request to `url` reaches the server and is applied, but its answer is lost on the
 * way back; the ones after pass. Returns the Idempotency-Key of every request, in order.
 */
async function loseFirstAnswer(page: Page, url: string | RegExp) {
  const keys: string[] = [];
  await page.route(url, async (route) => {
    if (route.request().method() !== "POST" && route.request().method() !== "PATCH") return route.continue();
    keys.push(route.request().headers()["idempotency-key"]);
    if (keys.length > 1) return route.continue();
    await route.fetch();
    await route.abort("connectionreset");
  });
  return keys;
}

const api = async (request: APIRequestContext, path: string) => {
  const response = await request.get(path, { headers: { authorization: `Bearer ${adminToken()}` } });
  expect(response.status()).toBe(200);
  return response.json();
};

test("a stock adjustment whose answer was lost, sent again, applies once", async ({ page, request, shop, staff }) => {
  const product = await shop.product({ stock: 10 });
  await signIn(page, await staff.admin(), `/admin/products/${product.id}`);
  await waitLive(page);
  const keys = await loseFirstAnswer(page, `**/api/v1/products/${product.id}/stock-adjustments`);
  await page.getByLabel("Change by").fill("+5");
  await page.getByLabel("Reason", { exact: true }).selectOption("restock");
  await page.getByRole("button", { name: "Apply adjustment" }).click();
  await expect(page.getByText(NO_ANSWER)).toBeVisible();
  await expect(page.getByTestId("adjust-current-stock")).toHaveText("15");

  await page.getByRole("button", { name: "Apply adjustment" }).click();
  await expect(page.getByText("Applied +5 (restock): stock is now 15.")).toBeVisible();
  expect(keys).toHaveLength(2);
  expect(keys[1]).toBe(keys[0]);
  expect((await api(request, `/api/v1/products/${product.id}`)).stock).toBe(15);

  // Another adjustment is a new change with a new key.
  await page.getByLabel("Change by").fill("+5");
  await page.getByRole("button", { name: "Apply adjustment" }).click();
  await expect(page.getByText("Applied +5 (restock): stock is now 20.")).toBeVisible();
  expect(keys[2]).not.toBe(keys[0]);
});

test("a new product whose answer was lost, saved again, is created once and opens", async ({
  page,
  request,
  shop,
  staff,
}) => {
  await signIn(page, await staff.admin(), "/admin/products/new");
  const keys = await loseFirstAnswer(page, "**/api/v1/products");
  await page.getByLabel("Name").fill(`Tote bag ${shop.tag}`);
  await page.getByLabel("SKU").fill(shop.sku("TOTE"));
  await page.getByLabel(/^Price/).fill("4.50");
  await page.getByLabel("Stock", { exact: true }).fill("12");
  await page.getByRole("button", { name: "Create product" }).click();
  await expect(page.getByText(NO_ANSWER)).toBeVisible();

  await page.getByRole("button", { name: "Create product" }).click();
  await expect(page).toHaveURL(/\/admin\/products\/\d+\?created=1$/);
  expect(keys[1]).toBe(keys[0]);
  const { products } = await api(request, `/api/v1/products?sku=${shop.sku("TOTE")}`);
  expect(products).toHaveLength(1);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Tote bag ${shop.tag}`);
});

test("on a plain-HTTP address other than localhost, a stocktake imports (its key needs no secure page) and the dashboard follows live", async ({
  playwright,
  request,
  shop,
  staff,
}) => {
  const product = await shop.product({ stock: 7 });
  // shop.test is this server, reached by a name: a page there is not a secure context.
  const browser = await playwright.chromium.launch({
    executablePath: findChromium(() => {}),
    args: [...CHROMIUM_ARGS, "--host-resolver-rules=MAP shop.test 127.0.0.1"],
  });
  try {
    const port = new URL(process.env.E2E_BASE_URL!).port;
    const page = await browser.newPage({ baseURL: `http://shop.test:${port}` });
    // No Web Locks there either: the dashboard follows the feed on a connection of its own.
    const dashboard = await browser.newPage({ baseURL: `http://shop.test:${port}` });
    await openDashboard(dashboard, shop.dashboardPath);
    await signIn(page, await staff.admin(), "/admin/import");
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
    await page.getByLabel("CSV file").setInputFiles({
      name: "count.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`sku,count\n${product.sku},3\n`),
    });
    await expect(page.getByTestId("import-summary")).toContainText("1 will change");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Applied" })).toContainText("1 products changed");
    expect((await api(request, `/api/v1/products/${product.id}`)).stock).toBe(3);
    await expect(row(dashboard, product.id).getByTestId("stock")).toHaveText("3");
  } finally {
    await browser.close();
  }
});
