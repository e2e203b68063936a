// Liveness and readiness of this instance, for load balancers and orchestrators. Live: the process
// answers (restart it only if not). Ready: it can serve, i.e. the database answers, the feed's
// LISTEN connection is up and the instance is not draining after SIGTERM (send traffic elsewhere).
import { db } from "@/lib/db";
import { feedEngine } from "@/lib/events/engine";

export type Readiness = {
  ready: boolean;
  database: "ok" | "unreachable";
  listener: string;
  draining: boolean;
};

// On globalThis: the route handlers (bundled by Next) and scripts/server.ts share one flag.
const globalForHealth = globalThis as unknown as { stockpulseDraining?: boolean };

/** From now on this instance is going away: readiness answers 503. */
export function startDraining(): void {
  globalForHealth.stockpulseDraining = true;
}

export async function readiness(): Promise<Readiness> {
  const { listener } = feedEngine();
  const draining = globalForHealth.stockpulseDraining === true;
  const database = await db.$queryRaw`SELECT 1`.then(() => "ok" as const).catch(() => "unreachable" as const);
  return {
    ready: !draining && database === "ok" && listener.state === "listening",
    database,
    listener: listener.state,
    draining,
  };
}
