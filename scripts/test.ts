// `npm test`: everything, from a fresh clone. Finds (or installs) a Chromium, makes the
// production build the tests run against, then runs the integration tests (node:test, real
// PostgreSQL, real HTTP) and the browser tests (Playwright). Stops at the first failing stage.
import "../lib/supported-node";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { findChromium } from "./find-chromium";
import { prepareStackTemplate } from "./stack";

const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

function stage(name: string, command: string, args: string[]) {
  console.log(`\n=== ${name}: ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env });
  if (result.status !== 0) {
    console.error(`\n=== ${name} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}

try {
  env.CHROMIUM_PATH = findChromium();
  console.log(`browser for the e2e tests: ${env.CHROMIUM_PATH}`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const bin = (name: string) => `node_modules/.bin/${name}`;
stage("lint", "npm", ["run", "--silent", "lint"]);
stage("build", bin("next"), ["build"]);
// One migrated PostgreSQL cluster that every test's stack copies (scripts/stack.ts).
const template = await prepareStackTemplate();
Object.assign(env, template.env);
process.on("exit", template.remove);
const testFiles = fs
  .readdirSync("tests")
  .filter((file) => file.endsWith(".test.ts"))
  .map((file) => `tests/${file}`);
stage("integration tests", process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", ...testFiles]);
stage("browser tests", bin("playwright"), ["test"]);
console.log("\n=== all tests passed");
