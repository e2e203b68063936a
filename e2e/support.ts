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
