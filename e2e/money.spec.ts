// Money in the minor unit of DISPLAY_CURRENCY, whatever the currency has: EUR two digits (the
// shared stack), JPY none and BHD three (servers of a stack of this file's own, one per currency).
import type { APIRequestContext, Page } from "@playwright/test";
import { startStack, type Server, type Stack } from "../scripts/stack";
import { expect, test } from "./fixtures";
import { signIn } from "./support";

let stack: Stack;
let yen: Server;
let dinar: Server;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  stack = await startStack();
  [yen, dinar] = await Promise.all([
    stack.startServer({ env: { DISPLAY_CURRENCY: "JPY", DISPLAY_LOCALE: "en-US" } }),
    stack.startServer({ env: { DISPLAY_CURRENCY: "BHD", DISPLAY_LOCALE: "en-GB" } }),
  ]);
});
test.afterAll(() => stack?.stop());

async function createProduct(request: APIRequestContext, server: Server, data: Record<string, unknown>) {
  const response = await request.post(`${server.baseUrl}/api/v1/products`, {
    headers: { authorization: `Bearer ${stack.adminToken}` },
    data: { stock: 5, ...data },
  });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as { id: number; priceCents: number };
}

async function priceOfSku(request: APIRequestContext, server: Server, sku: string) {
  const { products } = await (await request.get(`${server.baseUrl}/api/v1/products?sku=${sku}`)).json();
  return products[0]?.priceCents as number | undefined;
}

/** Signs in to `server` as the stack's admin and lands on `path`. */
async function signInTo(page: Page, server: Server, path: string) {
  await page.goto(`${server.baseUrl}/sign-in?next=${encodeURIComponent(path)}`);
  await page.getByLabel("Email").fill(stack.admin.email);
  await page.getByLabel("Password").fill(stack.admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(stack.admin.email);
}

/** Fills the new-product form and presses Create. */
async function createInForm(page: Page, fields: { sku: string; price: string; priceLabel: string }) {
  await page.getByLabel("Name").fill(`Tea ${fields.sku}`);
  await page.getByLabel("SKU").fill(fields.sku);
  await page.getByLabel(fields.priceLabel).fill(fields.price);
  await page.getByRole("button", { name: "Create product" }).click();
}

test("JPY has no minor unit: priceCents 1500 shows as ¥1,500, and the form saves 1500 as 1500", async ({
  page,
  request,
}) => {
  const matcha = await createProduct(request, yen, { sku: "JPY-MATCHA", name: "Matcha, 30 g", priceCents: 1500 });
  await page.goto(`${yen.baseUrl}/?q=JPY-MATCHA`);
  await expect(page.getByTestId(`product-row-${matcha.id}`).getByTestId("price")).toHaveText("¥1,500");

  await signInTo(page, yen, "/admin/products/new");
  await expect(page.locator("#price-error")).toHaveText("e.g. 1500");
  await createInForm(page, { sku: "JPY-SENCHA", price: "12.50", priceLabel: "Price (¥)" });
  await expect(page.locator("#price-error")).toHaveText("price must be an amount like 1500");
  await page.getByLabel("Price (¥)").fill("1500");
  await page.getByRole("button", { name: "Create product" }).click();
  await expect(page.getByText("Created JPY-SENCHA.")).toBeVisible();
  expect(await priceOfSku(request, yen, "JPY-SENCHA")).toBe(1500);
  // The edit form shows the price as it was typed: whole yen.
  await expect(page.getByLabel("Price (¥)")).toHaveValue("1500");
});

test("BHD has three digits: priceCents 1250 shows as BHD 1.250, and the form saves 1.250 as 1250", async ({
  page,
  request,
}) => {
  const dates = await createProduct(request, dinar, { sku: "BHD-DATES", name: "Dates, 500 g", priceCents: 1250 });
  await page.goto(`${dinar.baseUrl}/?q=BHD-DATES`);
  await expect(page.getByTestId(`product-row-${dates.id}`).getByTestId("price")).toHaveText(/^BHD\s1\.250$/);

  await signInTo(page, dinar, "/admin/products/new");
  await createInForm(page, { sku: "BHD-CARDAMOM", price: "1.2505", priceLabel: "Price (BHD)" });
  await expect(page.locator("#price-error")).toHaveText("price must be an amount like 12.500");
  await page.getByLabel("Price (BHD)").fill("1.250");
  await page.getByRole("button", { name: "Create product" }).click();
  await expect(page.getByText("Created BHD-CARDAMOM.")).toBeVisible();
  expect(await priceOfSku(request, dinar, "BHD-CARDAMOM")).toBe(1250);
  await expect(page.getByLabel("Price (BHD)")).toHaveValue("1.250");
});

test("EUR has cents: priceCents 1250 shows as €12.50, and the edit form holds 12.50", async ({ page, shop, staff }) => {
  const product = await shop.product({ priceCents: 1250 });
  await page.goto(shop.dashboardPath);
  await expect(page.getByTestId(`product-row-${product.id}`).getByTestId("price")).toHaveText("€12.50");
  await signIn(page, await staff.admin(), `/admin/products/${product.id}`);
  await expect(page.getByLabel("Price (€)")).toHaveValue("12.50");
  await page.getByLabel("Price (€)").fill("0.29");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Saved (version 2).")).toBeVisible();
  expect((await (await page.request.get(`/api/v1/products/${product.id}`)).json()).priceCents).toBe(29);
});
