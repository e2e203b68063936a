// Every page of the app, as the browser tests visit it: a path, or a function that makes the data
// the page shows (through the public API) and returns its path. e2e/a11y.spec.ts checks each with
// axe, e2e/phone.spec.ts at phone width; PAGE_FILES lets a test prove no page is missing here.
import fs from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import { adminToken, expect, type Shop } from "./fixtures";

export type Visit = { shop: Shop; page: Page };
export type Route = {
  name: string;
  /** Who looks at it in the a11y check, when not an admin (phone.spec.ts visits every page as everyone). */
  as?: "viewer" | "anonymous";
  /** The app's page (app/<pattern>/page.tsx) it shows; none for the error pages. */
  pattern?: string;
  path: string | ((visit: Visit) => Promise<string>);
  heading: string | RegExp;
};

const headers = () => ({ authorization: `Bearer ${adminToken()}` });

/** A product with a few changes (a chart and a history to show), long reasons included. */
async function productWithHistory({ shop, page }: Visit) {
  const { id } = await shop.product({ name: "Oolong tea", priceCents: 1250, stock: 40 });
  for (const [delta, reason] of [
    [-3, "Sold at the counter"],
    [12, "Delivery from the wholesaler, invoice 2026-11-0042"],
    [-1, "Damaged in the back room while restocking the top shelf"],
  ] as const) {
    const response = await page.request.post(`/api/v1/products/${id}/stock-adjustments`, {
      headers: headers(),
      data: { delta, reason },
    });
    expect(response.status(), await response.text()).toBe(200);
  }
  await shop.patch(id, { priceCents: 1375 });
  return id;
}

const productPage = async (visit: Visit) => `/products/${await productWithHistory(visit)}`;
const productAdminPage = async (visit: Visit) => `/admin/products/${await productWithHistory(visit)}`;

async function archivedProductPage(visit: Visit) {
  const id = await productWithHistory(visit);
  const archived = await visit.page.request.post(`/api/v1/products/${id}/archive`, { headers: headers(), data: {} });
  expect(archived.status(), await archived.text()).toBe(200);
  return `/products/${id}`;
}

async function webhookPage({ page }: Visit) {
  const created = await page.request.post("/api/v1/webhooks", {
    headers: headers(),
    data: { url: "http://127.0.0.1:9/a-rather-long-path/for-a-receiver/that-does-not-listen" },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = await created.json();
  // Paused: nothing listens on that address, and the page shows a paused subscription's reason.
  await page.request.patch(`/api/v1/webhooks/${id}`, { headers: headers(), data: { status: "paused" } });
  return `/admin/webhooks/${id}`;
}

export const ROUTES: Route[] = [
  { name: "dashboard", pattern: "/", path: "/", heading: "Products" },
  { name: "product page", pattern: "/products/[id]", path: productPage, heading: /^Oolong tea/ },
  { name: "sign-in", as: "anonymous", pattern: "/sign-in", path: "/sign-in", heading: "Sign in" },
  { name: "activity", pattern: "/activity", path: "/activity", heading: "Activity" },
  { name: "API reference", pattern: "/docs/api", path: "/docs/api", heading: /API/ },
  { name: "product not found", path: "/products/999999999", heading: "No such product" },
  { name: "page not found", path: "/no-such-page", heading: "Page not found" },
  { name: "forbidden", as: "viewer", path: "/admin", heading: "Admins only" },
  { name: "admin product list", pattern: "/admin", path: "/admin", heading: "Manage products" },
  {
    name: "new product",
    pattern: "/admin/products/new",
    path: "/admin/products/new",
    heading: "New product",
  },
  {
    name: "product admin",
    pattern: "/admin/products/[id]",
    path: productAdminPage,
    heading: /^Oolong tea/,
  },
  { name: "archived product", path: archivedProductPage, heading: /^Oolong tea/ },
  {
    name: "archived products",
    pattern: "/admin/archived",
    path: "/admin/archived",
    heading: "Archived products",
  },
  {
    name: "CSV import",
    pattern: "/admin/import",
    path: "/admin/import",
    heading: "Import a stocktake or price list",
  },
  { name: "webhooks", pattern: "/admin/webhooks", path: "/admin/webhooks", heading: "Webhooks" },
  { name: "webhook", pattern: "/admin/webhooks/[id]", path: webhookPage, heading: /^Webhook \d+$/ },
];

/** The app's page routes, from app/**\/page.tsx: "/", "/admin/products/[id]", ... */
export function pageRoutes(): string[] {
  const app = path.join(import.meta.dirname, "..", "app");
  return fs
    .globSync("**/page.tsx", { cwd: app })
    .map((file) => `/${path.dirname(file)}`.replace(/\/\.$/, "/").replace(/^\/\.?$/, "/"))
    .sort();
}
