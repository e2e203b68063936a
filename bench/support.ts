// What several benches measure alike: a process's memory from /proc, and a product with a long
// history written straight into the event log (as real rows: a ~40-character name, a till as the
// actor, a reason), so a bench starts from the history it needs in seconds.
import fs from "node:fs";
import type { Stack } from "../scripts/stack";

/** `pid`'s resident memory, in MiB. */
export const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

/** A new product `sku` with `events` sales in its history, one unit each. */
export async function productWithHistory(stack: Stack, sku: string, name: string, events: number) {
  const [product] = await stack.db.$queryRaw<Array<{ id: number; sku: string }>>`
    INSERT INTO "Product" (sku, name, "priceCents", stock, "lowStockThreshold", "updatedAt")
    VALUES (${sku}, ${name}, 1999, 100000, 10, now()) RETURNING id, sku`;
  await stack.db.$executeRaw`
    INSERT INTO "ProductEvent" ("productId", kind, sku, name, stock, "priceCents", "lowStockThreshold", version, delta, actor, reason, "stockLevel", "previousStockLevel")
    SELECT ${product.id}, 'stock', ${product.sku}, 'Espresso beans, single origin, 250 g bag', g, 1999, 10, g, -1,
           'till-' || (g % 7) || '@shop.example', 'sale', stock_level(g, 10), stock_level(g + 1, 10)
    FROM generate_series(1, ${events}) AS g`;
  return product;
}
