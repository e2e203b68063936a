import { startStack } from "../scripts/stack";

// One real stack for the browser tests; the returned function tears it down. The tests make
// their own products and users (e2e/fixtures.ts) with the admin token and database given here.
export default async function globalSetup() {
  // The webhook spec's receiver listens on loopback, which webhooks otherwise refuse.
  const stack = await startStack({ env: { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true" } });
  const server = await stack.startServer();
  process.env.E2E_BASE_URL = server.baseUrl;
  process.env.E2E_ADMIN_TOKEN = stack.adminToken;
  process.env.E2E_METRICS_TOKEN = stack.metricsToken;
  process.env.E2E_DATABASE_URL = stack.databaseUrl;
  return () => stack.stop();
}
