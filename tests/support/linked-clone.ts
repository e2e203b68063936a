// A copy of this checkout for tests that run npm scripts as a user would, made of hard links (quick,
// same bytes, and node_modules really inside it, unlike a symlink). Never the developer's .env
// files, .git, or .data/; the production build only when asked for.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.join(import.meta.dirname, "..", "..");
const LEFT_OUT = new Set([".git", ".next", ".data", "test-results", "playwright-report"]);

export function linkedClone(target: string, options: { withBuild?: boolean } = {}): void {
  fs.mkdirSync(target);
  const link = (from: string, to: string) => {
    const copy = spawnSync("cp", ["-al", from, to], { encoding: "utf8" });
    assert.equal(copy.status, 0, copy.stderr);
  };
  for (const entry of fs.readdirSync(root)) {
    if (LEFT_OUT.has(entry) || entry.startsWith(".env")) continue;
    link(path.join(root, entry), target);
  }
  if (options.withBuild) {
    fs.mkdirSync(path.join(target, ".next"));
    for (const entry of fs.readdirSync(path.join(root, ".next"))) {
      if (entry !== "cache") link(path.join(root, ".next", entry), path.join(target, ".next"));
    }
  }
}

/** `npm run <args>` in `dir` without this process's DATABASE_URL; fails the test on a non-zero exit. */
export function npmRun(dir: string, args: string[], env: Record<string, string> = {}): string {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const result = spawnSync("npm", ["run", "--silent", ...args], {
    cwd: dir,
    env: { ...inherited, ...env },
    encoding: "utf8",
  });
  const output = `${result.stdout}${result.stderr}`;
  assert.equal(result.status, 0, `npm run ${args.join(" ")} failed:\n${output}`);
  return output;
}
