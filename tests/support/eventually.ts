import assert from "node:assert/strict";

/** Polls `check` every 100 ms until it holds; fails naming `what` after `attempts` tries. */
export async function eventually(check: () => Promise<boolean>, what: string, attempts = 300) {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}
