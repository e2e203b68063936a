// Node.js 24 is the runtime even where the machine's own Node is older: npm ci installs it into
// node_modules/.bin, npm scripts put that first on PATH, and anything started on an older Node
// outside npm says what to do.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";

const root = path.join(import.meta.dirname, "..");
const major = (version: string) => Number(version.replace(/^v/, "").split(".")[0]);

/** A `node` on PATH outside node_modules that is older than 24: the machine's own, if any. */
function olderSystemNode(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "node");
    if (dir.includes("node_modules") || !fs.existsSync(candidate)) continue;
    const version = spawnSync(candidate, ["--version"], { encoding: "utf8" }).stdout.trim();
    if (version && major(version) < 24) return candidate;
  }
  return undefined;
}

test("the tests run on Node.js 24 or newer", () => {
  assert.ok(major(process.version) >= 24, `running on ${process.version}`);
});

test("npm scripts run `node` from node_modules/.bin: Node.js 24 or newer", () => {
  const result = spawnSync("npm", ["exec", "--offline", "--", "node", "-p", "process.version"], {
    cwd: root,
    encoding: "utf8",
  });
  assert.equal(result.status, 0, result.stderr);
  assert.ok(major(result.stdout.trim()) >= 24, `npm scripts get ${result.stdout.trim()}`);
});

const older = olderSystemNode();
test(
  "started outside npm on an older Node.js, a script stops with a message saying what to do",
  { skip: !older && "no Node.js older than 24 on PATH" },
  () => {
    for (const script of ["scripts/start.ts", "scripts/server.ts", "scripts/db.ts"]) {
      const result = spawnSync(older!, ["--import", "tsx", script], { cwd: root, encoding: "utf8" });
      assert.equal(result.status, 1, `${script}: ${result.stderr}`);
      assert.match(result.stderr, /StockPulse needs Node\.js 24 or newer, but this is Node\.js v\d+/);
      assert.match(result.stderr, /node_modules\/\.bin/);
    }
  },
);
