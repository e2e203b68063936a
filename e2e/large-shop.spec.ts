import { expect, test } from "@playwright/test";
import { adminToken, openDashboard, patchProduct, row } from "./support";

// A shop with more products than the window shows: only the rows near the window are in the DOM
// (see components/product-table.tsx), yet the table stays one table that screen readers count
// whole, scrolls to every product and keeps every row live. Runs after the other files: the
// products it adds would otherwise push their rows out of the window.
const ADDED = 150;

test.beforeAll(async ({ request }) => {
  for (let i = 0; i < ADDED; i++) {
    const response = await request.post("/api/v1/products", {
      headers: { authorization: `Bearer ${adminToken()}` },
      data: {
        sku: `ZZ-${String(i).padStart(3, "0")}`,
        name: `Zz shelf item ${String(i).padStart(3, "0")}`,
        priceCents: 100,
        stock: 50,
      },
    });
    expect(response.status()).toBe(201);
  }
});

test("a large shop renders only the rows near the window, and every row is reachable and live", async ({ page }) => {
  await openDashboard(page);
  const { products } = await (await page.request.get("/api/v1/products")).json();
  const table = page.getByRole("table");
  await expect(table).toHaveAttribute("aria-rowcount", String(products.length + 1));
  const rendered = await page.locator("tbody tr[aria-rowindex]").count();
  expect(rendered).toBeLessThan(products.length);

  // All rows are one height: the virtualiser places the rows it does not render by that height.
  const heights = await page
    .locator("tbody tr[aria-rowindex]")
    .evaluateAll((rows) => [...new Set(rows.map((tableRow) => Math.round(tableRow.getBoundingClientRect().height)))]);
  expect(heights).toHaveLength(1);

  // The last product by name is not in the DOM until scrolled to; then it is, in its place.
  const last = products.find((product: { sku: string }) => product.sku === `ZZ-${ADDED - 1}`);
  await expect(row(page, last.id)).toHaveCount(0);
  await page.keyboard.press("End");
  await expect(row(page, last.id)).toBeVisible();
  await expect(row(page, last.id)).toHaveAttribute("aria-rowindex", String(products.length + 1));

  // Live down there too, and back at the top.
  await patchProduct(page, last.id, { stock: 3 });
  await expect(row(page, last.id).getByTestId("stock")).toHaveText("3");
  await expect(row(page, last.id)).toContainText("Low stock");
  await page.keyboard.press("Home");
  await expect(row(page, 1)).toBeVisible();
  await expect(row(page, last.id)).toHaveCount(0);
});
