import { startStack } from "../tests/support/stack";

// One real stack for the browser tests; the returned function tears it down.
export default async function globalSetup() {
  const stack = await startStack();
  const server = await stack.startServer();
  process.env.E2E_BASE_URL = server.baseUrl;
  process.env.E2E_ADMIN_TOKEN = stack.adminToken;
  return () => stack.stop();
}
