import { startStack } from "../tests/support/stack";

// One real stack for the browser tests; the returned function tears it down.
export default async function globalSetup() {
  // The webhook spec's receiver listens on loopback, which webhooks otherwise refuse.
  const stack = await startStack({ env: { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true" } });
  const server = await stack.startServer();
  process.env.E2E_BASE_URL = server.baseUrl;
  process.env.E2E_ADMIN_TOKEN = stack.adminToken;
  process.env.E2E_DATABASE_URL = stack.databaseUrl;
  process.env.E2E_ADMIN_EMAIL = stack.admin.email;
  process.env.E2E_ADMIN_PASSWORD = stack.admin.password;
  process.env.E2E_VIEWER_EMAIL = "viewer@stockpulse.test";
  process.env.E2E_VIEWER_PASSWORD = await stack.addUser(process.env.E2E_VIEWER_EMAIL, "viewer");
  return () => stack.stop();
}
