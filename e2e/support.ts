import { expect, type Page } from "@playwright/test";

export const adminToken = () => process.env.E2E_ADMIN_TOKEN!;

/** Changes a product through the public API, as another shop service would. */
export async function patchProduct(page: Page, id: number, body: Record<string, unknown>) {
  const response = await page.request.patch(`/api/v1/products/${id}`, {
    headers: { authorization: `Bearer ${adminToken()}` },
    data: body,
  });
  expect(response.status()).toBe(200);
  return response.json();
}

export async function openDashboard(page: Page) {
  await page.goto("/");
  await expect(page.getByTestId("connection-state")).toHaveAttribute("data-state", "live");
}

export const row = (page: Page, id: number) => page.getByTestId(`product-row-${id}`);

export const admin = () => ({ email: process.env.E2E_ADMIN_EMAIL!, password: process.env.E2E_ADMIN_PASSWORD! });
export const viewer = () => ({ email: process.env.E2E_VIEWER_EMAIL!, password: process.env.E2E_VIEWER_PASSWORD! });

/** Signs in through the sign-in page, starting from `path` (which sends us there). */
export async function signIn(page: Page, who = admin(), path = "/admin") {
  await page.goto(path);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(who.email);
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
