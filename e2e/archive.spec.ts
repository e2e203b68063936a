import { adminToken, expect, test } from "./fixtures";
import { openDashboard, row, signIn, waitLive } from "./support";

test("an admin archives a product: an open dashboard loses the row live, its page keeps the history, restore brings it back", async ({
  page,
  browser,
  shop,
  staff,
}) => {
  const kept = await shop.product({ name: "Oat milk, 1 l" });
  const retired = await shop.product({ name: "Pumpkin spice syrup", stock: 3 });
  const dashboard = await browser.newPage();
  await openDashboard(dashboard, shop.dashboardPath);
  await expect(row(dashboard, retired.id)).toBeVisible();

  const admin = await staff.admin();
  await signIn(page, admin, `/admin/products/${retired.id}`);
  await waitLive(page);
  await page.getByRole("button", { name: "Archive", exact: true }).click();
  // The confirmation names the product; cancelling archives nothing.
  const confirmation = page.getByRole("dialog", { name: `Archive ${retired.name}?` });
  await expect(confirmation).toContainText(retired.sku);
  await confirmation.getByRole("button", { name: "Cancel" }).click();
  await expect(row(dashboard, retired.id)).toBeVisible();
  await page.getByRole("button", { name: "Archive", exact: true }).click();
  await page.getByRole("button", { name: `Archive ${retired.name}` }).click();

  await expect(page.getByTestId("archived-banner")).toContainText("Archived on");
  await expect(page.getByRole("button", { name: "Adjust stock" })).toHaveCount(0);
  await expect(row(dashboard, retired.id)).toHaveCount(0);
  await expect(row(dashboard, kept.id)).toBeVisible();

  // The product's page: the banner, and the history with the archive event and who did it.
  await page.goto(`/products/${retired.id}`);
  await expect(page.getByTestId("archived-banner")).toContainText("Archived on");
  const archivedEntry = page.getByTestId("history").getByRole("row").filter({ hasText: "Archived" });
  await expect(archivedEntry).toContainText(admin.email);
  await expect(page.getByTestId("history")).toContainText("Created with stock 3");
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: "docs/product-archived.png" });

  // The admin's archived list: Restore on the row puts it back on the open dashboard.
  await page.goto("/admin/archived");
  const listed = page.getByTestId("archived-products").getByRole("row").filter({ hasText: retired.name });
  await expect(listed).toContainText(retired.sku);
  // README's screenshot: `UPDATE_SCREENSHOTS=1 npx playwright test e2e/archive.spec.ts` after a build.
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: "docs/admin-archived.png" });
  await listed.getByRole("button", { name: `Restore ${retired.name}` }).click();
  await expect(page.getByRole("link", { name: retired.name })).toHaveCount(0);
  await expect(row(dashboard, retired.id)).toBeVisible();
  await expect(row(dashboard, retired.id)).toContainText("3");
  await dashboard.close();
});

test("an archived product's page offers Restore to admins only; restoring it there lifts the banner", async ({
  page,
  browser,
  shop,
  staff,
  request,
}) => {
  const product = await shop.product({ name: "Gingerbread latte mix" });
  const archived = await request.post(`/api/v1/products/${product.id}/archive`, {
    headers: { authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN}` },
    data: { reason: "seasonal" },
  });
  expect(archived.status(), await archived.text()).toBe(200);

  const viewerPage = await browser.newPage();
  await signIn(viewerPage, await staff.viewer());
  await viewerPage.goto(`/products/${product.id}`);
  await expect(viewerPage.getByTestId("archived-banner")).toContainText("Archived on");
  await expect(viewerPage.getByRole("button", { name: /Restore/ })).toHaveCount(0);
  await expect(viewerPage.getByTestId("history")).toContainText("seasonal");

  await signIn(page, await staff.admin());
  await page.goto(`/products/${product.id}`);
  await waitLive(page);
  await page.getByRole("button", { name: `Restore ${product.name}` }).click();
  await expect(page.getByTestId("archived-banner")).toHaveCount(0);
  await expect(page.getByTestId("history").getByRole("row").nth(1)).toContainText("Restored");
  // The viewer's open page follows the feed: the banner goes there too.
  await expect(viewerPage.getByTestId("archived-banner")).toHaveCount(0);
  await viewerPage.close();
});

test("a dashboard cut off while products are archived and restored catches up to the right rows when it resumes", async ({
  page,
  request,
  shop,
}) => {
  const bounced = await shop.product({ name: "Chai concentrate", stock: 8 });
  const retired = await shop.product({ name: "Eggnog syrup", stock: 4 });
  const edited = await shop.product({ name: "Honey sticks", stock: 12 });
  const returning = await shop.product({ name: "Gingerbread syrup", stock: 6 });
  const api = { authorization: `Bearer ${adminToken()}` };
  const post = async (path: string) => {
    const response = await request.post(path, { headers: api });
    expect(response.status(), await response.text()).toBe(200);
  };
  await post(`/api/v1/products/${returning.id}/archive`);
  await openDashboard(page, shop.dashboardPath);
  await expect(row(page, returning.id)).toHaveCount(0);
  await expect(row(page, retired.id)).toBeVisible();

  await page.route("**/api/v1/stream/**", (route) => route.abort());
  await page.evaluate(() => window.stop()); // cuts the open stream
  await expect(page.getByTestId("connection-state")).toHaveAttribute("data-state", /reconnecting|offline/);

  // While the page was cut off: one archived and restored (then changed), one archived, one
  // restored that was archived before the page loaded.
  await post(`/api/v1/products/${bounced.id}/archive`);
  await post(`/api/v1/products/${bounced.id}/restore`);
  await shop.patch(bounced.id, { stock: 9 });
  await post(`/api/v1/products/${retired.id}/archive`);
  await shop.patch(edited.id, { stock: 13 });
  await post(`/api/v1/products/${returning.id}/restore`);

  await page.unroute("**/api/v1/stream/**");
  await expect(page.getByTestId("connection-state")).toContainText("caught up", { timeout: 20_000 });
  await expect(row(page, retired.id)).toHaveCount(0);
  await expect(row(page, bounced.id).getByTestId("stock")).toHaveText("9");
  await expect(row(page, edited.id).getByTestId("stock")).toHaveText("13");
  await expect(row(page, returning.id).getByTestId("stock")).toHaveText("6");
});

test("a product restored while the dashboard's first fresh snapshot is on its way stays on the dashboard", async ({
  page,
  request,
  shop,
}) => {
  const returning = await shop.product({ name: "Cinnamon sticks", stock: 7 });
  const other = await shop.product({ name: "Star anise", stock: 3 });
  const api = { authorization: `Bearer ${adminToken()}` };
  const post = async (path: string) => {
    const response = await request.post(path, { headers: api });
    expect(response.status(), await response.text()).toBe(200);
  };
  await post(`/api/v1/products/${returning.id}/archive`);

  // The page's own snapshot request (after the server-rendered one) is answered as taken now,
  // before the restore, but handed to the page only once the feed has brought the restore.
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/api\/v1\/products$/, async (route) => {
    const response = await route.fetch();
    await released;
    await route.fulfill({ response });
  });
  const snapshotHandedOver = page.waitForResponse(/\/api\/v1\/products$/);
  await openDashboard(page, shop.dashboardPath);
  await expect(row(page, returning.id)).toHaveCount(0);

  await post(`/api/v1/products/${returning.id}/restore`);
  await expect(row(page, returning.id).getByTestId("stock")).toHaveText("7");
  release();
  await snapshotHandedOver;
  // A later change shown means the older snapshot has been merged by then.
  await shop.patch(other.id, { stock: 4 });
  await expect(row(page, other.id).getByTestId("stock")).toHaveText("4");
  await expect(row(page, returning.id).getByTestId("stock")).toHaveText("7");
});
