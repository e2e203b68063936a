import { adminToken, expect, test } from "./fixtures";
import { openDashboard } from "./support";

test("the alerts panel shows a product going out of stock live, with an unread count", async ({ page, shop }) => {
  const product = await shop.product({ name: "Alert kettle", stock: 3, lowStockThreshold: 5 });
  await openDashboard(page, shop.dashboardPath);
  const panel = page.getByTestId("alerts-panel");
  await expect(panel.getByTestId("alerts-unread")).toHaveText("none unread");

  await shop.patch(product.id, { stock: 0 });
  const alert = panel.getByRole("listitem").filter({ hasText: product.name });
  await expect(alert).toContainText("Out of stock");
  await expect(alert).toContainText("0 left");
  await expect(panel.getByTestId("alerts-unread")).toHaveText("1 unread");

  await panel.getByRole("button", { name: "Mark all read" }).click();
  await expect(panel.getByTestId("alerts-unread")).toHaveText("none unread");

  await shop.patch(product.id, { stock: 8 });
  await expect(panel.getByRole("listitem").first()).toContainText("Back in stock");
  await expect(panel.getByTestId("alerts-unread")).toHaveText("1 unread");
  // Read stays read across a reload; the history comes back from the server.
  await panel.getByRole("button", { name: "Mark all read" }).click();
  await page.reload();
  await expect(panel.getByRole("listitem").filter({ hasText: product.name })).toHaveCount(2);
  await expect(panel.getByTestId("alerts-unread")).toHaveText("none unread");
});

test("archiving a product takes its alerts out of the open panel, and restoring it brings them back", async ({
  page,
  request,
  shop,
}) => {
  const product = await shop.product({ name: "Alert teapot", stock: 3, lowStockThreshold: 5 });
  await shop.patch(product.id, { stock: 0 });
  await openDashboard(page, shop.dashboardPath);
  const panel = page.getByTestId("alerts-panel");
  const mine = panel.getByRole("listitem").filter({ hasText: product.name });
  await expect(mine).toHaveCount(1);
  await expect(mine).toContainText("Out of stock");

  const headers = { authorization: `Bearer ${adminToken()}` };
  const archived = await request.post(`/api/v1/products/${product.id}/archive`, { headers });
  expect(archived.status(), await archived.text()).toBe(200);
  await expect(mine).toHaveCount(0);

  const restored = await request.post(`/api/v1/products/${product.id}/restore`, { headers });
  expect(restored.status(), await restored.text()).toBe(200);
  // As the server's list has it again, and as a reload would show it.
  await expect(mine).toHaveCount(1);
  await expect(mine).toContainText("Out of stock");
  await page.reload();
  await expect(mine).toHaveCount(1);
});
