import { expect, type Page } from "@playwright/test";
import type { Credentials, Staff } from "./fixtures";

/** Opens the dashboard (by default all products; a test's own: `shop.dashboardPath`) once it is live. */
export async function openDashboard(page: Page, path = "/") {
  await page.goto(path);
  await waitLive(page);
}

export const row = (page: Page, id: number) => page.getByTestId(`product-row-${id}`);

/** Signs in through the sign-in page, starting from `path` (which sends us there). */
export async function signIn(page: Page, who: Credentials, path = "/admin") {
  await page.goto(path);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(who.email);
}

/**
 * Signs in a new admin or viewer on the sign-in page; "anonymous" stays signed out. For tests
 * that visit many pages as one role (the a11y and phone checks).
 */
export async function signInAs(page: Page, staff: Staff, role: "admin" | "viewer" | "anonymous") {
  if (role === "anonymous") return;
  const who: Credentials = await staff[role]();
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Checking a password hash is slow on purpose, and slower on a busy machine.
  await expect(page.getByTestId("signed-in-as")).toContainText(who.email, { timeout: 15_000 });
}

export async function waitLive(page: Page) {
  await expect(page.getByTestId("connection-state")).toHaveAttribute("data-state", "live");
}

/** Open feed streams on the server, from its Prometheus metrics. */
export async function feedConnections(page: Page) {
  const headers = { authorization: `Bearer ${process.env.E2E_METRICS_TOKEN}` };
  const text = await (await page.request.get("/api/metrics", { headers })).text();
  return Number(/^stockpulse_open_streams (\d+)/m.exec(text)?.[1]);
}
