import { expect, test } from "@playwright/test";
import { adminToken, openDashboard, patchProduct, row } from "./support";

test("the admin page asks for sign-in and refuses a wrong token", async ({ page }) => {
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "Admin sign-in" })).toBeVisible();
  await expect(page.getByLabel("New stock")).toHaveCount(0);
  await page.getByLabel("Admin token").fill("not-the-token-not-the-token");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("That token is not valid.")).toBeVisible();
});

test("the session cookie is HttpOnly and SameSite=Lax", async ({ page, context }) => {
  await page.goto("/admin");
  await page.getByLabel("Admin token").fill(adminToken());
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Set stock" })).toBeVisible();
  const cookie = (await context.cookies()).find((candidate) => candidate.name === "stockpulse_admin");
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe("Lax");
});

test("a stock change saved in the admin form appears live in a second open page", async ({ page, browser }) => {
  const dashboard = await browser.newPage();
  await openDashboard(dashboard);

  await page.goto("/admin");
  await page.getByLabel("Admin token").fill(adminToken());
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByLabel("Product").selectOption({ label: "MUG-CER-350 · Ceramic mug, 350 ml" });
  await page.getByLabel("New stock").fill("17");
  await page.getByRole("button", { name: "Save stock" }).click();
  await expect(page.getByText("Saved: Ceramic mug, 350 ml now has 17 in stock.")).toBeVisible();

  await expect(row(dashboard, 7).getByTestId("stock")).toHaveText("17");
  await dashboard.close();
});

test("the admin form refuses to overwrite a change made elsewhere meanwhile", async ({ page }) => {
  await page.goto("/admin");
  await page.getByLabel("Admin token").fill(adminToken());
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByLabel("Product").selectOption({ label: "PRS-FRN-800 · French press, 800 ml" });
  await expect(page.getByTestId("connection-state")).toHaveAttribute("data-state", "live");
  // Block the feed so the form still holds the old version when it is submitted.
  await page.route("**/api/v1/stream/**", (route) => route.abort());
  await page.evaluate(() => window.stop());
  await patchProduct(page, 12, { stock: 99 });
  await page.getByLabel("New stock").fill("5");
  await page.getByRole("button", { name: "Save stock" }).click();
  await expect(page.getByRole("status").filter({ hasText: /is at version/ })).toBeVisible();
  await page.unrouteAll();
  await openDashboard(page);
  await expect(row(page, 12).getByTestId("stock")).toHaveText("99");
});
