// Where admins look: an Edit link on each dashboard row and on the product's page (decided on the
// server, so nobody else gets one), the chart on the admin page too, and messages that name the
// product as staff know it. Signed out, the dashboard has no stock value and no "Admin" link.
import { expect, test } from "./fixtures";
import { openDashboard, row, signInAs, waitLive } from "./support";

test("admins get an Edit link on each dashboard row and on the product's page; viewers and visitors get none", async ({
  page,
  shop,
  staff,
}) => {
  const product = await shop.product({ name: "Moka pot" });
  const edit = page.getByRole("link", { name: `Edit ${product.name}` });

  for (const role of ["anonymous", "viewer"] as const) {
    await page.context().clearCookies();
    await signInAs(page, staff, role);
    await openDashboard(page, shop.dashboardPath);
    await expect(row(page, product.id)).toBeVisible();
    await expect(page.getByRole("columnheader", { name: "Actions" })).toHaveCount(0);
    await expect(edit).toHaveCount(0);
    await page.goto(`/products/${product.id}`);
    await waitLive(page);
    await expect(page.getByRole("heading", { level: 1, name: product.name })).toBeVisible();
    await expect(edit).toHaveCount(0);
  }

  await page.context().clearCookies();
  await signInAs(page, staff, "admin");
  await openDashboard(page, shop.dashboardPath);
  await expect(row(page, product.id).getByRole("link", { name: `Edit ${product.name}` })).toHaveAttribute(
    "href",
    `/admin/products/${product.id}`,
  );
  await page.goto(`/products/${product.id}`);
  await edit.click();
  await expect(page).toHaveURL(new RegExp(`/admin/products/${product.id}$`));
  await expect(page.getByRole("heading", { name: "Edit product" })).toBeVisible();
});

test("the admin page shows the product's chart of stock and price over time, following the feed", async ({
  page,
  shop,
  staff,
}) => {
  const product = await shop.product({ priceCents: 1250, stock: 40 });
  await shop.patch(product.id, { stock: 35 });
  await signInAs(page, staff, "admin");
  await page.goto(`/admin/products/${product.id}`);
  await waitLive(page);
  await expect(page.getByRole("heading", { name: "Stock and price over time" })).toBeVisible();
  await expect(page.getByTestId("stock-chart")).toHaveAttribute("data-points", "2");
  await shop.patch(product.id, { priceCents: 1375 });
  await expect(page.getByTestId("stock-chart")).toHaveAttribute("data-points", "3");
});

test("a refused adjustment names the product by its name and SKU, not its id", async ({ page, shop, staff }) => {
  const product = await shop.product({ name: "Milk frother", stock: 2 });
  await signInAs(page, staff, "admin");
  await page.goto(`/admin/products/${product.id}`);
  await waitLive(page);
  await page.getByLabel("Change by").fill("-5");
  await page.getByLabel("Reason", { exact: true }).selectOption("sale");
  await page.getByRole("button", { name: "Apply adjustment" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Not applied" })).toHaveText(
    `Not applied: “${product.name}” (${product.sku}) has 2 in stock; cannot apply -5`,
  );
});

test("signed out, the dashboard shows no stock value and no Admin link; staff see both", async ({ page, staff }) => {
  await openDashboard(page);
  const summary = page.getByTestId("summary");
  await expect(summary).toContainText("Out of stock");
  await expect(summary).not.toContainText("Stock value");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Admin" })).toHaveCount(0);

  await signInAs(page, staff, "viewer");
  await openDashboard(page);
  await expect(summary).toContainText("Stock value");
  await expect(nav.getByRole("link", { name: "Admin" })).toBeVisible();
});
