// Start-up refuses a bad environment with a message naming the variable (design.md: production
// with default or weak credentials must not start).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startStack, type Stack } from "./support/stack";

let stack: Stack;

before(async () => {
  stack = await startStack();
});
after(() => stack?.stop());

for (const [name, token, mentions] of [
  ["a well-known default token", "changeme", /ADMIN_API_TOKEN/],
  ["a short token", "short-token", /ADMIN_API_TOKEN must be at least 24 characters/],
] as const) {
  test(`the server refuses to start with ${name}`, async () => {
    await assert.rejects(stack.startServer({ env: { ADMIN_API_TOKEN: token } }), (error: Error) => {
      assert.match(error.message, /next start exited/);
      assert.match(error.message, mentions);
      return true;
    });
  });
}

test("the server refuses to start with a malformed DATABASE_URL", async () => {
  await assert.rejects(
    stack.startServer({ env: { DATABASE_URL: "mysql://nope" } }),
    /DATABASE_URL must be a postgresql:\/\/ URL/,
  );
});

test("a strong token and a valid URL start it", async () => {
  const server = await stack.startServer();
  assert.equal((await fetch(`${server.baseUrl}/api/health`)).status, 200);
});
