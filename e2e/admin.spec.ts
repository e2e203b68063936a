import { expect, test } from "./fixtures";
import { openDashboard, row, signIn, waitLive } from "./support";

// The save's own status: "Not saved: ..." contains "saved" too (hasText ignores case).
const SAVED = /^Saved \(version \d+\)/;

test("sign in and out: wrong password refused, HttpOnly SameSite=Lax cookie, sign-out ends the session", async ({
  page,
  context,
  staff,
}) => {
  const admin = await staff.admin();
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fadmin$/);
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password");

  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Manage products" })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toHaveText(`${admin.email} (admin)`);
  const cookie = (await context.cookies()).find((candidate) => candidate.name === "stockpulse_session");
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe("Lax");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});

test("a viewer can sign in but cannot reach the admin pages", async ({ page, staff }) => {
  await signIn(page, await staff.viewer());
  await expect(page.getByRole("heading", { name: "Admins only" })).toBeVisible();
  await page.goto("/admin/products/new");
  await expect(page.getByRole("heading", { name: "Admins only" })).toBeVisible();
  await expect(page.getByLabel("SKU")).toHaveCount(0);
});

test("create a product, then edit it: both appear live on the dashboard in another page", async ({
  page,
  browser,
  shop,
  staff,
}) => {
  const taken = await shop.product({ name: "Espresso beans, 250 g" });
  const sku = shop.sku("OAT-MLK-1000");
  const dashboard = await browser.newPage();
  await openDashboard(dashboard, shop.dashboardPath);

  await signIn(page, await staff.admin(), "/admin/products/new");
  await page.getByLabel("Name").fill("Oat milk, 1 l");
  await page.getByLabel("SKU").fill(sku);
  await page.getByLabel("Price (€)").fill("abc");
  await page.getByLabel("Stock", { exact: true }).fill("24");
  await page.getByRole("button", { name: "Create product" }).click();
  await expect(page.locator("#price-error")).toHaveText("price must be an amount like 12.50");
  await page.getByLabel("Price (€)").fill("2.49");
  await page.getByRole("button", { name: "Create product" }).click();
  await expect(page.getByText(`Created ${sku}.`)).toBeVisible();

  const created = dashboard.locator("tr", { hasText: sku });
  await expect(created).toContainText("Oat milk, 1 l");
  await expect(created.getByTestId("price")).toHaveText("€2.49");

  await waitLive(page);
  await page.getByLabel("Name").fill("Oat milk, barista, 1 l");
  await page.getByLabel("Price (€)").fill("2.79");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved (version 2)." })).toBeVisible();
  await expect(created).toContainText("Oat milk, barista, 1 l");
  await expect(created.getByTestId("price")).toHaveText("€2.79");

  // The server's own checks land next to the field too.
  await page.getByLabel("SKU").fill(taken.sku);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.locator("#sku-error")).toHaveText(`sku ${taken.sku} is already used`);
  await dashboard.close();
});

test("two pages edit one product: the second save is refused with the current values, then re-applied or discarded", async ({
  page,
  context,
  shop,
  staff,
}) => {
  const press = await shop.product({ name: "French press, 800 ml", priceCents: 2999, stock: 8 });
  await signIn(page, await staff.admin(), `/admin/products/${press.id}`);
  const other = await context.newPage();
  await other.goto(`/admin/products/${press.id}`);
  await waitLive(page);
  await waitLive(other);

  // Both start editing; the other page saves first.
  await page.getByLabel("Price (€)").fill("31.45");
  await other.getByLabel("Name").fill("French press, 800 ml (steel)");
  await other.getByRole("button", { name: "Save changes" }).click();
  await expect(other.getByRole("status").filter({ hasText: SAVED })).toBeVisible();
  await expect(page.getByText(/Changed elsewhere since you opened it/)).toBeVisible();

  await page.getByRole("button", { name: "Save changes" }).click();
  const conflict = page.getByRole("alert").filter({ hasText: "Someone else saved this product" });
  await expect(conflict).toBeVisible();
  await expect(page.getByTestId("conflict-current")).toContainText("French press, 800 ml (steel)");
  // Nothing of ours was written.
  expect((await (await page.request.get(`/api/v1/products/${press.id}`)).json()).priceCents).not.toBe(3145);
  // Meanwhile the other page starts another edit; it will be stale once ours is saved.
  await other.getByLabel("Name").fill("French press, 800 ml (glass)");
  await page.getByRole("button", { name: "Save mine over theirs" }).click();
  await expect(page.getByRole("status").filter({ hasText: SAVED })).toBeVisible();
  await expect(page.getByLabel("Price (€)")).toHaveValue("31.45");
  // Only the price was mine: their name stays.
  await expect(page.getByLabel("Name")).toHaveValue("French press, 800 ml (steel)");

  // And the other way round: the other page, now stale and edited, discards its change.
  await other.getByRole("button", { name: "Save changes" }).click();
  await expect(other.getByRole("alert").filter({ hasText: "Someone else saved this product" })).toBeVisible();
  await other.getByRole("button", { name: "Discard mine" }).click();
  await expect(other.getByLabel("Price (€)")).toHaveValue("31.45");
  await expect(other.getByLabel("Name")).toHaveValue("French press, 800 ml (steel)");
});

test("a stock adjustment with a reason shows in the product's history, with who made it", async ({
  page,
  shop,
  staff,
}) => {
  const product = await shop.product({ stock: 30 });
  const admin = await staff.admin();
  await signIn(page, admin, `/admin/products/${product.id}`);
  await waitLive(page);
  await expect(page.getByTestId("adjust-current-stock")).toHaveText("30");
  await page.getByLabel("Change by").fill("-2");
  await page.getByLabel("Reason", { exact: true }).selectOption("other");
  await page.getByLabel("Other reason").fill("damaged in transit");
  await page.getByRole("button", { name: "Apply adjustment" }).click();
  await expect(page.getByText("Applied -2 (damaged in transit): stock is now 28.")).toBeVisible();
  const entry = page.getByTestId("history").locator("tbody tr").first();
  await expect(entry).toContainText("Stock -2 (30 → 28)");
  await expect(entry).toContainText(admin.email);
  await expect(entry).toContainText("damaged in transit");

  // A change made elsewhere shows up in the history too.
  await shop.patch(product.id, { priceCents: 1111 });
  await expect(entry).toContainText("Price €9.99 → €11.11");
  await expect(entry).toContainText("api:default");
});

test("setting one product's stock from the admin list appears live in a second open page", async ({
  page,
  browser,
  shop,
  staff,
}) => {
  const mug = await shop.product({ name: "Ceramic mug, 350 ml", stock: 64 });
  const dashboard = await browser.newPage();
  await openDashboard(dashboard, shop.dashboardPath);
  await signIn(page, await staff.admin(), `/admin?q=${shop.tag}`);
  await waitLive(page);
  await page.getByRole("checkbox", { name: `Select ${mug.name}` }).check();
  await page.getByLabel("Set to").check();
  await page.getByLabel("New stock").fill("17");
  // No reason is chosen for you, and a count is never a sale.
  const reason = page.getByLabel("Reason", { exact: true });
  await expect(reason).toHaveValue("");
  await expect(reason.getByRole("option", { name: "Sale" })).toHaveCount(0);
  await reason.selectOption("correction");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("bulk-outcome")).toHaveText("Set 1 product to 17 (correction).");
  await expect(row(page, mug.id).getByTestId("stock")).toHaveText("17");
  await expect(row(dashboard, mug.id).getByTestId("stock")).toHaveText("17");
  await dashboard.close();
});

test("signing in through the form never leaves the site, whatever `next` says", async ({ page, baseURL, staff }) => {
  const admin = await staff.admin();
  for (const next of ["/%5Cevil.example", "/%09/evil.example"]) {
    await page.context().clearCookies();
    await page.goto(`/sign-in?next=${next}`);
    await page.getByLabel("Email").fill(admin.email);
    await page.getByLabel("Password").fill(admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Manage products" })).toBeVisible();
    expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
  }
});
