import { expect, test } from "./fixtures";
import { openDashboard, row } from "./support";

// A shop with more products than the window shows: only the rows near the window are in the DOM
// (components/product-table/virtual-rows.tsx), yet the table stays one table that screen readers
// count whole, scrolls to every product and keeps every row live. The test's own 150 products,
// alone in the view (`shop.dashboardPath`), whatever else the shop holds.
const ADDED = 150;

test("a large shop renders only the rows near the window, and every row is reachable and live", async ({
  page,
  shop,
}) => {
  test.setTimeout(120_000);
  const added = [];
  for (let i = 0; i < ADDED; i++) {
    const number = String(i).padStart(3, "0");
    added.push(
      await shop.product({ name: `Zz shelf item ${number}`, sku: `ZZ-${number}`, priceCents: 100, stock: 50 }),
    );
  }
  await openDashboard(page, shop.dashboardPath);
  const table = page.getByRole("table");
  await expect(table).toHaveAttribute("aria-rowcount", String(ADDED + 1));
  const rendered = await page.locator("tbody tr[aria-rowindex]").count();
  expect(rendered).toBeLessThan(ADDED);

  // All rows are one height: the virtualiser places the rows it does not render by that height.
  const heights = await page
    .locator("tbody tr[aria-rowindex]")
    .evaluateAll((rows) => [...new Set(rows.map((tableRow) => Math.round(tableRow.getBoundingClientRect().height)))]);
  expect(heights).toHaveLength(1);

  // The last product by name is not in the DOM until scrolled to; then it is, in its place.
  const [first, last] = [added[0], added[ADDED - 1]];
  await expect(row(page, last.id)).toHaveCount(0);
  await page.keyboard.press("End");
  await expect(row(page, last.id)).toBeVisible();
  await expect(row(page, last.id)).toHaveAttribute("aria-rowindex", String(ADDED + 1));

  // Live down there too, and back at the top.
  await shop.patch(last.id, { stock: 3 });
  await expect(row(page, last.id).getByTestId("stock")).toHaveText("3");
  await expect(row(page, last.id)).toContainText("Low stock");
  await page.keyboard.press("Home");
  await expect(row(page, first.id)).toBeVisible();
  await expect(row(page, last.id)).toHaveCount(0);
});
