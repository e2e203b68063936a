// Start-up refuses a bad environment with a message naming the variable (docs/design.md: production
// with default or weak credentials must not start).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { signIn } from "./support/api";
import { startStack, type Stack } from "../scripts/stack";

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
      assert.match(error.message, /the server exited/);
      assert.match(error.message, mentions);
      return true;
    });
  });
}

for (const [name, env, mentions] of [
  [
    "without ADMIN_EMAIL in production",
    { ADMIN_EMAIL: "" },
    /ADMIN_EMAIL and ADMIN_PASSWORD are required in production/,
  ],
  ["without ADMIN_PASSWORD in production", { ADMIN_PASSWORD: "" }, /ADMIN_EMAIL and ADMIN_PASSWORD are required/],
  ["with a short ADMIN_PASSWORD", { ADMIN_PASSWORD: "short-pw" }, /ADMIN_PASSWORD: must be at least 12 characters/],
  ["with a well-known ADMIN_PASSWORD", { ADMIN_PASSWORD: "Password1234" }, /ADMIN_PASSWORD: is a well-known default/],
  ["with a malformed ADMIN_EMAIL", { ADMIN_EMAIL: "admin" }, /ADMIN_EMAIL must be an email address/],
  ["with a weak named API token", { ADMIN_API_TOKENS: "pos:changeme" }, /ADMIN_API_TOKENS/],
  ["with a nameless API token", { ADMIN_API_TOKENS: "x".repeat(30) }, /ADMIN_API_TOKENS entries must be name:token/],
] as const) {
  test(`the server refuses to start ${name}`, async () => {
    // An empty variable counts as unset, as in a shell's `VAR= next start`.
    const unset = Object.fromEntries(Object.entries(env).filter(([, value]) => value === ""));
    await assert.rejects(
      stack.startServer({ env: env as Record<string, string>, unset: Object.keys(unset) }),
      mentions,
    );
  });
}

test("the first admin is created from ADMIN_EMAIL/ADMIN_PASSWORD once, and can sign in", async () => {
  const server = await stack.startServer();
  const users = await stack.db.user.findMany({ where: { email: stack.admin.email } });
  assert.equal(users.length, 1);
  assert.equal(users[0].role, "admin");
  assert.match(users[0].passwordHash, /^scrypt\$32768\$8\$3\$/);
  assert.ok(!users[0].passwordHash.includes(stack.admin.password));
  assert.equal((await signIn(server.baseUrl, stack.admin.email, stack.admin.password)).status, 200);
  await server.stop();
  // A restart with other ADMIN_PASSWORD does not reset a password staff may have changed.
  const again = await stack.startServer({ env: { ADMIN_PASSWORD: "another-long-password" } });
  assert.equal(await stack.db.user.count({ where: { email: stack.admin.email } }), 1);
  assert.equal((await signIn(again.baseUrl, stack.admin.email, stack.admin.password)).status, 200);
});

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
