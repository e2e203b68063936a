// The one Prisma client, on PostgreSQL through the pg driver adapter (no Rust engine).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";

export function createPrismaClient(databaseUrl: string) {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 20 }) });
}

const globalForPrisma = globalThis as unknown as { stockpulsePrisma?: PrismaClient };

// Not env(): `next build` imports route modules without a database; the URL is validated at
// server start (instrumentation.ts) and nothing connects before the first query.
export const db = globalForPrisma.stockpulsePrisma ?? createPrismaClient(process.env.DATABASE_URL ?? "");
globalForPrisma.stockpulsePrisma = db;
