// Each browser test makes its own data (as cal.com's Playwright fixtures do): products through
// the public API with the admin token from the global setup, staff accounts straight in the
// test database. Every product a test makes carries the test's own tag in its SKU and name, so
// `/?q=<tag>` shows that test's products and nothing else: no test depends on seeded ids, on
// what another test changed or on the order the files run in.
import { randomBytes } from "node:crypto";
import { test as base, expect } from "@playwright/test";
import { hashPassword } from "../lib/auth/password";
import { createPrismaClient } from "../lib/db";
import type { ProductDto } from "../lib/products/dto";

export { expect };

export type NewProduct = {
  name?: string;
  sku?: string;
  priceCents?: number;
  stock?: number;
  lowStockThreshold?: number;
};
export type Credentials = { email: string; password: string };

export type Shop = {
  /** Unique to this test; in every SKU (upper case) and name this test's products have. */
  tag: string;
  /** A SKU of this test's: "<TAG>-<suffix>". */
  sku: (suffix: string) => string;
  /** Creates a product (POST /api/v1/products); its name is "<name> <tag>". */
  product: (fields?: NewProduct) => Promise<ProductDto>;
  /** Changes a product through the public API, as another shop service would. */
  patch: (id: number, body: Record<string, unknown>) => Promise<ProductDto>;
  /** The dashboard showing only this test's products. */
  dashboardPath: string;
};

export type Staff = { admin: () => Promise<Credentials>; viewer: () => Promise<Credentials> };

export const adminToken = () => process.env.E2E_ADMIN_TOKEN!;
const authorization = () => ({ authorization: `Bearer ${adminToken()}` });

export const test = base.extend<{ shop: Shop; staff: Staff }, { database: ReturnType<typeof createPrismaClient> }>({
  database: [
    async ({}, use) => {
      const database = createPrismaClient(process.env.E2E_DATABASE_URL!);
      await use(database);
      await database.$disconnect();
    },
    { scope: "worker" },
  ],

  shop: async ({ request }, use) => {
    const tag = `x${randomBytes(4).toString("hex")}`;
    const sku = (suffix: string) => `${tag.toUpperCase()}-${suffix}`;
    let made = 0;
    await use({
      tag,
      sku,
      dashboardPath: `/?q=${tag}`,
      product: async ({ name = "Shelf item", sku: suffix, ...fields } = {}) => {
        made++;
        const response = await request.post("/api/v1/products", {
          headers: authorization(),
          data: { priceCents: 999, stock: 20, ...fields, name: `${name} ${tag}`, sku: sku(suffix ?? `P${made}`) },
        });
        expect(response.status(), await response.text()).toBe(201);
        return response.json();
      },
      patch: async (id, body) => {
        const response = await request.patch(`/api/v1/products/${id}`, { headers: authorization(), data: body });
        expect(response.status(), await response.text()).toBe(200);
        return response.json();
      },
    });
  },

  staff: async ({ database }, use) => {
    const create = async (role: "admin" | "viewer") => {
      const email = `${role}-${randomBytes(4).toString("hex")}@stockpulse.test`;
      const password = randomBytes(18).toString("base64url");
      await database.user.create({ data: { email, role, passwordHash: await hashPassword(password) } });
      return { email, password };
    };
    await use({ admin: () => create("admin"), viewer: () => create("viewer") });
  },
});
