// Pages that never leave staff guessing: real not-found pages (with their 404), buttons that say
// they are busy and cannot be pressed twice, and empty results that say what to do (loading and
// error pages, and the empty shop: e2e/own-stack.spec.ts). Requests are held with page.route and then let through
// to the real server: only the timing is ours.
import type { Page, Request, Route } from "@playwright/test";
import { startReceiver } from "../tests/support/webhook-receiver";
import { adminToken, expect, test } from "./fixtures";
import { openDashboard, signIn } from "./support";

/** Holds the requests `matches` picks until release(), and counts them (before and after); the rest pass. */
async function hold(page: Page, url: string, matches: (request: Request) => boolean) {
  const held: Route[] = [];
  let released = false;
  let count = 0;
  await page.route(url, (route) => {
    if (!matches(route.request())) return route.continue();
    count++;
    if (released) return route.continue();
    held.push(route);
  });
  return {
    count: () => count,
    release: async () => {
      released = true;
      for (const route of held) await route.continue();
    },
  };
}

test.describe("not found", () => {
  test("an unknown or malformed product id answers 404 with a page that leads back", async ({ page }) => {
    for (const path of ["/products/999999999", "/products/abc", "/products/0x4"]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(404);
      await expect(page.getByRole("heading", { level: 1, name: "No such product" })).toBeVisible();
    }
    // README's screenshot: `UPDATE_SCREENSHOTS=1 npx playwright test e2e/pages.spec.ts -g "not found"` after a build.
    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: "docs/not-found.png" });
    await page.getByRole("link", { name: "← All products" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Products" })).toBeVisible();

    const response = await page.goto("/no/such/page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  });

  test("the admin's product and webhook pages answer 404 for what does not exist", async ({ page, staff }) => {
    await signIn(page, await staff.admin());
    const product = await page.goto("/admin/products/999999999");
    expect(product?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1, name: "No such product" })).toBeVisible();
    // The admin navigation stays, and the way back goes to the list.
    await expect(page.getByRole("navigation", { name: "Admin" })).toBeVisible();
    await page.getByRole("link", { name: "Back to the product list" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Manage products" })).toBeVisible();

    const webhook = await page.goto("/admin/webhooks/999999999");
    expect(webhook?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1, name: "No such webhook" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Back to the webhooks" })).toBeVisible();
  });
});

test.describe("buttons that wait", () => {
  test("sign-in and sign-out are busy while the server answers", async ({ page, staff }) => {
    const admin = await staff.admin();
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(admin.email);
    await page.getByLabel("Password").fill(admin.password);
    const signingIn = await hold(page, "**/api/v1/session", (request) => request.method() === "POST");
    await page.getByRole("button", { name: "Sign in" }).click();
    const busy = page.getByRole("button", { name: "Signing in…" });
    await expect(busy).toBeDisabled();
    await expect(busy).toHaveAttribute("aria-busy", "true");
    await page.getByLabel("Password").press("Enter");
    await signingIn.release();
    await expect(page.getByTestId("signed-in-as")).toContainText(admin.email);
    expect(signingIn.count(), "requests sent").toBe(1);

    const signingOut = await hold(page, "**/api/v1/session", (request) => request.method() === "DELETE");
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByRole("button", { name: "Signing out…" })).toBeDisabled();
    await signingOut.release();
    await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
    expect(signingOut.count(), "requests sent").toBe(1);
  });

  test("saving the product form and adjusting stock are busy, and one press sends one request", async ({
    page,
    shop,
    staff,
  }) => {
    const product = await shop.product({ stock: 10 });
    await signIn(page, await staff.admin(), `/admin/products/${product.id}`);

    const saving = await hold(page, `**/api/v1/products/${product.id}`, (request) => request.method() === "PATCH");
    await page.getByLabel("Low-stock threshold").fill("3");
    await page.getByRole("button", { name: "Save changes" }).click();
    const busySave = page.getByRole("button", { name: "Saving…" });
    await expect(busySave).toBeDisabled();
    await expect(busySave).toHaveAttribute("aria-busy", "true");
    await page.getByLabel("Name").press("Enter"); // a second submit while the first waits
    await saving.release();
    await expect(page.getByText("Saved (version 2).")).toBeVisible();
    expect(saving.count(), "requests sent").toBe(1);
    await expect(page.getByRole("button", { name: "Save changes" })).toBeEnabled();

    const adjusting = await hold(
      page,
      `**/api/v1/products/${product.id}/stock-adjustments`,
      (request) => request.method() === "POST",
    );
    await page.getByLabel("Change by").fill("+5");
    await page.getByLabel("Reason", { exact: true }).selectOption("restock");
    await page.getByRole("button", { name: "Apply adjustment" }).click();
    const busyAdjust = page.getByRole("button", { name: "Applying…" });
    await expect(busyAdjust).toBeDisabled();
    await expect(busyAdjust).toHaveAttribute("aria-busy", "true");
    await page.getByLabel("Change by").press("Enter");
    await adjusting.release();
    await expect(page.getByText("Applied +5 (restock): stock is now 15.")).toBeVisible();
    expect(adjusting.count(), "requests sent").toBe(1);
    expect((await (await page.request.get(`/api/v1/products/${product.id}`)).json()).stock).toBe(15);
  });

  test("creating a product stays busy until its page replaces the form", async ({ page, shop, staff }) => {
    await signIn(page, await staff.admin(), "/admin/products/new");
    const creating = await hold(page, "**/api/v1/products", (request) => request.method() === "POST");
    await page.getByLabel("Name").fill(`Genmaicha ${shop.tag}`);
    await page.getByLabel("SKU").fill(shop.sku("GEN"));
    await page.getByLabel("Price (€)").fill("4.20");
    await page.getByRole("button", { name: "Create product" }).click();
    await expect(page.getByRole("button", { name: "Creating…" })).toBeDisabled();
    await page.getByLabel("Name").press("Enter");
    await creating.release();
    await expect(page.getByText(`Created ${shop.sku("GEN")}.`)).toBeVisible();
    expect(creating.count(), "requests sent").toBe(1);
  });
});

test("webhook actions are busy while they wait, and hold the other actions back", async ({ page, staff }) => {
  const receiver = await startReceiver();
  try {
    const headers = { authorization: `Bearer ${adminToken()}` };
    const created = await page.request.post("/api/v1/webhooks", { headers, data: { url: receiver.url("/busy") } });
    expect(created.status(), await created.text()).toBe(201);
    const { id } = await created.json();
    await page.request.patch(`/api/v1/webhooks/${id}`, { headers, data: { status: "paused" } });
    await signIn(page, await staff.admin(), `/admin/webhooks/${id}`);

    const testing = await hold(page, `**/api/v1/webhooks/${id}/test`, (request) => request.method() === "POST");
    await page.getByRole("button", { name: "Send test event" }).click();
    const busy = page.getByRole("button", { name: "Sending test…" });
    await expect(busy).toBeDisabled();
    await expect(busy).toHaveAttribute("aria-busy", "true");
    await expect(page.getByRole("button", { name: "Resume" })).toBeDisabled();
    await expect(page.getByRole("button", { name: "Delete" })).toBeDisabled();
    await testing.release();
    await expect(page.getByText(/Test event delivered: HTTP 200/)).toBeVisible();
    await expect(page.getByRole("button", { name: "Resume" })).toBeEnabled();

    const resuming = await hold(page, `**/api/v1/webhooks/${id}`, (request) => request.method() === "PATCH");
    await page.getByRole("button", { name: "Resume" }).click();
    await expect(page.getByRole("button", { name: "Resuming…" })).toBeDisabled();
    await resuming.release();
    await expect(page.getByTestId("webhook-status")).toHaveText("Active");
    expect(resuming.count(), "requests sent").toBe(1);
    await page.request.patch(`/api/v1/webhooks/${id}`, { headers, data: { status: "paused" } });

    await page.goto("/admin/webhooks");
    const creating = await hold(page, "**/api/v1/webhooks", (request) => request.method() === "POST");
    await page.getByLabel("Endpoint URL").fill(receiver.url("/busy-form"));
    await page.getByRole("button", { name: "Create webhook" }).click();
    await expect(page.getByRole("button", { name: "Creating…" })).toBeDisabled();
    await page.getByLabel("Endpoint URL").press("Enter");
    await creating.release();
    await expect(page.getByTestId("webhook-secret")).toContainText("only this once");
    expect(creating.count(), "requests sent").toBe(1);
    // Paused, so nothing is sent to the receiver once it has gone.
    const madeHere = (await page.getByTestId("webhook-secret").getByRole("link").getAttribute("href"))!;
    await page.request.patch(madeHere.replace("/admin/", "/api/v1/"), { headers, data: { status: "paused" } });
  } finally {
    await receiver.close();
  }
});

test.describe("empty results say what to do", () => {
  test("a search with no match says so and clears with one press", async ({ page, shop }) => {
    const product = await shop.product({ name: "Darjeeling tea" });
    await openDashboard(page, shop.dashboardPath);
    const search = page.getByLabel("Search by name or SKU");
    await search.fill("no such tea anywhere");
    await expect(page.getByTestId("empty-state")).toContainText("No products match “no such tea anywhere”");
    await page.getByRole("button", { name: "Clear the search" }).click();
    await expect(search).toHaveValue("");
    await expect(search).toBeFocused();
    await expect(page).not.toHaveURL(/[?&]q=/);
    // Every product of the shop is shown again (the caption says "N of N"); the shop holds other
    // tests' products too, so this one may be scrolled out of the virtualised window.
    await expect(page.locator("#table-caption")).toHaveText(/^(\d+) of \1 products/);
    await search.fill(product.name);
    await expect(page.getByTestId(`product-row-${product.id}`)).toBeVisible();
  });

  test("a stock filter with no match offers to show all levels", async ({ page, shop }) => {
    const product = await shop.product({ stock: 50, lowStockThreshold: 5 });
    await openDashboard(page, `${shop.dashboardPath}&filter=out`);
    await expect(page.getByTestId("empty-state")).toContainText(
      `No products match “${shop.tag}” among those out of stock`,
    );
    await page.getByRole("button", { name: "Show all stock levels" }).click();
    await expect(page.getByTestId(`product-row-${product.id}`)).toBeVisible();
    await expect(page).not.toHaveURL(/filter=/);
  });
});
