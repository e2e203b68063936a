import { expect, test } from "@playwright/test";
import { openDashboard, patchProduct, row } from "./support";

test("the dashboard shows every product with price, stock and status badges", async ({ page }) => {
  await openDashboard(page);
  await expect(page.getByRole("heading", { name: "Products" })).toBeVisible();
  await expect(page.locator("tbody tr")).toHaveCount(50);
  await expect(row(page, 1)).toContainText("Espresso beans, 250 g");
  await expect(row(page, 1).getByTestId("price")).toHaveText("€8.99");
  await expect(row(page, 8)).toContainText("Out of stock");
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
  await patchProduct(page, 5, { stock: 500 });
  await expect(row(page, 5).getByTestId("stock")).toHaveClass(/flash-up/);
  await patchProduct(page, 5, { stock: 1 });
  await expect(row(page, 5).getByTestId("stock")).toHaveClass(/flash-down/);
});
