// Every page, checked with axe (@axe-core/playwright) in the light and the dark colour scheme: no
// serious or critical violation. A new page is one line in ROUTES: who looks at it, where it is
// (a path, or a function that makes the data it shows) and its h1, which says it has loaded.
// The error pages and the empty shop need a stack of their own: e2e/own-stack.spec.ts checks them.
import type { Page } from "@playwright/test";
import { expectNoSeriousViolations } from "./axe";
import { adminToken, expect, test, type Credentials, type Shop, type Staff } from "./fixtures";

type Visit = { shop: Shop; page: Page };
type Route = {
  name: string;
  as?: "admin" | "viewer";
  path: string | ((visit: Visit) => Promise<string>);
  heading: string | RegExp;
};

const productPage = async ({ shop }: Visit) => `/products/${(await shop.product({ name: "Oolong tea" })).id}`;
const productAdminPage = async ({ shop }: Visit) =>
  `/admin/products/${(await shop.product({ name: "Oolong tea" })).id}`;

async function archivedProductPage({ shop, page }: Visit) {
  const { id } = await shop.product({ name: "Oolong tea" });
  const headers = { authorization: `Bearer ${adminToken()}` };
  const archived = await page.request.post(`/api/v1/products/${id}/archive`, { headers, data: {} });
  expect(archived.status(), await archived.text()).toBe(200);
  return `/products/${id}`;
}

async function webhookPage({ page }: Visit) {
  const headers = { authorization: `Bearer ${adminToken()}` };
  const created = await page.request.post("/api/v1/webhooks", { headers, data: { url: "http://127.0.0.1:9/a11y" } });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = await created.json();
  // Paused: nothing listens on that address, and the page shows a paused subscription's reason.
  await page.request.patch(`/api/v1/webhooks/${id}`, { headers, data: { status: "paused" } });
  return `/admin/webhooks/${id}`;
}

const ROUTES: Route[] = [
  { name: "dashboard", path: "/", heading: "Products" },
  { name: "product page", path: productPage, heading: /^Oolong tea/ },
  { name: "sign-in", path: "/sign-in", heading: "Sign in" },
  { name: "activity", as: "viewer", path: "/activity", heading: "Activity" },
  { name: "API reference", path: "/docs/api", heading: /API/ },
  { name: "product not found", path: "/products/999999999", heading: "No such product" },
  { name: "page not found", path: "/no-such-page", heading: "Page not found" },
  { name: "forbidden", as: "viewer", path: "/admin", heading: "Admins only" },
  { name: "admin product list", as: "admin", path: "/admin", heading: "Manage products" },
  { name: "new product", as: "admin", path: "/admin/products/new", heading: "New product" },
  { name: "product admin", as: "admin", path: productAdminPage, heading: /^Oolong tea/ },
  { name: "archived product", as: "admin", path: archivedProductPage, heading: /^Oolong tea/ },
  { name: "archived products", as: "admin", path: "/admin/archived", heading: "Archived products" },
  { name: "CSV import", as: "admin", path: "/admin/import", heading: "Import a stocktake or price list" },
  { name: "webhooks", as: "admin", path: "/admin/webhooks", heading: "Webhooks" },
  { name: "webhook", as: "admin", path: webhookPage, heading: /^Webhook \d+$/ },
];

async function signInAs(page: Page, staff: Staff, role: "admin" | "viewer") {
  const who: Credentials = await staff[role]();
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(who.email);
}

for (const route of ROUTES) {
  test(`a11y: ${route.name} has no serious or critical violations, light or dark`, async ({ page, shop, staff }) => {
    if (route.as) await signInAs(page, staff, route.as);
    await page.goto(typeof route.path === "string" ? route.path : await route.path({ shop, page }));
    await expect(page.getByRole("heading", { level: 1, name: route.heading })).toBeVisible();
    await expect(page.getByTestId("page-loading")).toHaveCount(0);
    await expectNoSeriousViolations(page);
  });
}
