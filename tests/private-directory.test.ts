// As root, the embedded PostgreSQL runs as the OS user `postgres`. From a clone inside a directory
// only its owner may enter (root's home, any `mktemp -d`), that user reaches neither the binaries
// in node_modules nor .data/: the project must arrange both, keep the data across restarts, and
// leave the owner's directory as private as it was.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { linkedClone, npmRun } from "./support/linked-clone";

/** This checkout at `<new mode-700 dir>/clone with spaces`. */
function privateClone(): { privateDir: string; clone: string } {
  const privateDir = fs.mkdtempSync(path.join(os.tmpdir(), "stockpulse-private-"));
  assert.equal(fs.statSync(privateDir).mode & 0o777, 0o700);
  const clone = path.join(privateDir, "clone with spaces");
  linkedClone(clone);
  return { privateDir, clone };
}

test(
  "as root, the embedded database starts from a clone in a mode-700 directory and keeps its data",
  { skip: process.getuid?.() !== 0 && "only root runs PostgreSQL as another OS user" },
  () => {
    const { privateDir, clone } = privateClone();
    let relocated: string | undefined;
    try {
      const migrated = npmRun(clone, ["db", "--", "migrate", "deploy"]);
      relocated = /keeps its data in (\/var\/lib\/stockpulse\/\S+)/.exec(migrated)?.[1];
      assert.ok(relocated, `the log names where the data went:\n${migrated}`);
      assert.match(migrated, /All migrations have been successfully applied|No pending migrations/);

      npmRun(clone, ["user", "--", "add", "anna@shop.example", "viewer"], { USER_PASSWORD: "a long enough password" });
      // A second start of the database finds what the first one wrote.
      assert.match(npmRun(clone, ["user", "--", "list"]), /anna@shop\.example\tviewer/);

      assert.equal(fs.statSync(privateDir).mode & 0o777, 0o700, "the private directory stays private");
      const cluster = fs.statSync(path.join(relocated, "cluster"));
      assert.equal(cluster.mode & 0o777, 0o700);
      assert.equal(cluster.uid, Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout));
    } finally {
      fs.rmSync(privateDir, { recursive: true, force: true });
      if (relocated) fs.rmSync(relocated, { recursive: true, force: true });
    }
  },
);
