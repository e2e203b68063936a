// One list of variables (lib/env.ts), named alike in .env.example and the README's table; and .env
// files configure the server and the scripts as in any Next.js app.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { CONFIGURATION_VARIABLES } from "../lib/env";
import { eventually } from "./support/eventually";
import { linkedClone, npmRun } from "./support/linked-clone";
import { freePort } from "../scripts/embedded-postgres";
import { startStack, type Stack } from "../scripts/stack";

const root = path.join(import.meta.dirname, "..");
const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

test(".env.example lists every variable of lib/env.ts, and no other", () => {
  const example = fs.readFileSync(path.join(root, ".env.example"), "utf8");
  const listed = [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
  assert.deepEqual(sorted(listed), sorted(CONFIGURATION_VARIABLES));
  assert.equal(listed.length, CONFIGURATION_VARIABLES.length, "each variable once");
});

test("the README's configuration table names the same variables", () => {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("### A real PostgreSQL"));
  const named = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)`/gm)].map((match) => match[1]);
  assert.deepEqual(sorted(named), sorted(CONFIGURATION_VARIABLES));
});

let stack: Stack;
let dir: string;
before(async () => {
  stack = await startStack();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "stockpulse-dotenv-"));
  linkedClone(path.join(dir, "app"), { withBuild: true });
});
after(async () => {
  await stack?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("npm run user and npm start take DATABASE_URL and the rest from .env", async () => {
  const clone = path.join(dir, "app");
  const port = await freePort();
  const admin = { email: "dotenv-admin@stockpulse.test", password: randomBytes(18).toString("base64url") };
  fs.writeFileSync(
    path.join(clone, ".env"),
    [`DATABASE_URL=${stack.databaseUrl}`, `PORT=${port}`, `ADMIN_EMAIL=${admin.email}`].join("\n") + "\n",
  );
  // .env.local comes before .env, as in Next.js.
  fs.writeFileSync(path.join(clone, ".env.local"), `ADMIN_PASSWORD=${admin.password}\n`);

  await stack.addUser("dotenv-viewer@stockpulse.test", "viewer");
  assert.match(npmRun(clone, ["user", "--", "list"]), /dotenv-viewer@stockpulse\.test\tviewer/);

  const { DATABASE_URL: _url, PORT: _port, ADMIN_EMAIL: _email, ADMIN_PASSWORD: _password, ...env } = process.env;
  const start = spawn("npm", ["start"], { cwd: clone, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  start.stdout.on("data", (chunk) => (output += chunk));
  start.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise((resolve) => start.on("exit", resolve));
  try {
    await eventually(
      async () => (await fetch(`http://127.0.0.1:${port}/api/health/ready`).catch(() => null))?.ok === true,
      "npm start to serve on the PORT from .env",
    );
    assert.match(output, /environment from \.env\.local, \.env/);
    assert.doesNotMatch(output, /embedded PostgreSQL/);
    // The first admin came from .env and .env.local, into the database named in .env.
    assert.equal(await stack.db.user.count({ where: { email: admin.email, role: "admin" } }), 1);
  } finally {
    process.kill(-start.pid!, "SIGTERM");
    await exited;
  }
});
