// Demo products for the embedded default: a small shop's range, prices in integer cents.
// `npm start` loads them into an empty database; `npm run db -- db seed` runs this file.
import { pathToFileURL } from "node:url";
import type { PrismaClient } from "@/lib/generated/prisma/client";

type DemoProduct = [sku: string, name: string, priceCents: number, stock: number, lowStockThreshold: number];

export const DEMO_PRODUCTS: DemoProduct[] = [
  ["COF-ESP-250", "Espresso beans, 250 g", 899, 42, 10],
  ["COF-FIL-500", "Filter coffee, 500 g", 1249, 18, 8],
  ["COF-DEC-250", "Decaf beans, 250 g", 949, 6, 6],
  ["TEA-EAR-100", "Earl Grey tea, 100 g", 549, 35, 10],
  ["TEA-GRN-100", "Sencha green tea, 100 g", 699, 3, 8],
  ["TEA-CHA-200", "Masala chai blend, 200 g", 799, 27, 6],
  ["MUG-CER-350", "Ceramic mug, 350 ml", 1299, 64, 12],
  ["MUG-TRV-400", "Travel mug, 400 ml", 2199, 0, 5],
  ["GRD-HND-001", "Hand grinder, steel burr", 4999, 9, 3],
  ["GRD-ELC-001", "Electric burr grinder", 12999, 4, 2],
  ["KET-GOO-100", "Gooseneck kettle, 1 l", 5499, 11, 3],
  ["PRS-FRN-800", "French press, 800 ml", 2899, 23, 5],
  ["PRS-AER-001", "AeroPress coffee maker", 3499, 15, 5],
  ["FLT-V60-002", "V60 dripper, size 02", 2299, 19, 5],
  ["FLT-PAP-100", "Paper filters, 100 pack", 499, 120, 30],
  ["SCL-DIG-001", "Digital scale with timer", 2799, 7, 4],
  ["CHC-DRK-100", "Dark chocolate 70%, 100 g", 349, 88, 20],
  ["CHC-MLK-100", "Milk chocolate, 100 g", 299, 14, 20],
  ["CHC-HAZ-100", "Hazelnut chocolate, 100 g", 329, 51, 15],
  ["BIS-ALM-200", "Almond biscotti, 200 g", 549, 33, 10],
  ["BIS-OAT-250", "Oat cookies, 250 g", 449, 2, 10],
  ["SYR-VAN-250", "Vanilla syrup, 250 ml", 699, 26, 6],
  ["SYR-CAR-250", "Caramel syrup, 250 ml", 699, 21, 6],
  ["SYR-HAZ-250", "Hazelnut syrup, 250 ml", 699, 5, 6],
  ["MLK-OAT-1L", "Oat drink barista, 1 l", 279, 140, 40],
  ["MLK-ALM-1L", "Almond drink, 1 l", 299, 37, 30],
  ["MLK-SOY-1L", "Soy drink, 1 l", 249, 58, 30],
  ["CUP-PAP-050", "Paper cups 12 oz, 50 pack", 899, 44, 10],
  ["LID-PAP-050", "Cup lids 12 oz, 50 pack", 599, 39, 10],
  ["TMP-STL-058", "Espresso tamper, 58 mm", 2499, 8, 3],
  ["PIT-MLK-600", "Milk pitcher, 600 ml", 1899, 12, 4],
  ["CLN-TAB-100", "Machine cleaning tablets, 100", 1499, 16, 5],
  ["CLN-DES-500", "Descaler, 500 ml", 999, 1, 5],
  ["BOT-WTR-750", "Glass water bottle, 750 ml", 1999, 22, 5],
  ["BAG-TOT-001", "Canvas tote bag", 1499, 47, 10],
  ["GFT-CRD-025", "Gift card, 25.00", 2500, 500, 50],
  ["GFT-CRD-050", "Gift card, 50.00", 5000, 500, 50],
  ["BOX-GFT-001", "Coffee gift box", 3999, 10, 4],
  ["HNY-WLD-250", "Wildflower honey, 250 g", 749, 29, 8],
  ["SUG-CAN-500", "Cane sugar, 500 g", 349, 73, 15],
  ["SUG-STK-100", "Sugar sticks, 100 pack", 449, 31, 10],
  ["SPN-WOD-100", "Wooden stirrers, 100 pack", 199, 210, 50],
  ["NPK-PAP-200", "Napkins, 200 pack", 399, 60, 15],
  ["COF-COL-500", "Colombia single origin, 500 g", 1599, 13, 6],
  ["COF-ETH-250", "Ethiopia Yirgacheffe, 250 g", 1149, 9, 6],
  ["COF-BRA-1KG", "Brazil espresso blend, 1 kg", 2399, 17, 5],
  ["COF-COLD-010", "Cold brew bags, 10 pack", 899, 0, 6],
  ["TEA-ROO-100", "Rooibos tea, 100 g", 599, 24, 8],
  ["TEA-MIN-050", "Peppermint tea, 50 g", 449, 41, 8],
  ["CRD-GRT-001", "Greeting card", 299, 95, 20],
];

/** Loads the demo products if the database has none; returns how many were added. */
export async function seedDemoProducts(client: PrismaClient): Promise<number> {
  if ((await client.product.count()) > 0) return 0;
  const { count } = await client.product.createMany({
    data: DEMO_PRODUCTS.map(([sku, name, priceCents, stock, lowStockThreshold]) => ({
      sku,
      name,
      priceCents,
      stock,
      lowStockThreshold,
    })),
  });
  return count;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { createPrismaClient } = await import("@/lib/db");
  const client = createPrismaClient(process.env.DATABASE_URL ?? "");
  const added = await seedDemoProducts(client);
  console.log(added ? `seeded ${added} demo products` : "products already present; nothing seeded");
  await client.$disconnect();
}
