// Sign-in's way back (lib/auth/return-path.ts) as a table: every spelling of `next` that a
// browser normalises into another site, or into a path that is another site once sent on as a
// Location ("/.//evil.example" -> "//evil.example"), falls back to /admin.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_RETURN_PATH, safeReturnPath } from "../lib/auth/return-path";
import { HOSTILE_RETURN_PATHS, LOCAL_RETURN_PATHS } from "./support/return-paths";

const ORIGIN = "https://shop.example";

/** Where a browser on the sign-in page goes when sent to `path` (a Location or router.replace). */
const landing = (path: string) => new URL(path, `${ORIGIN}/sign-in?next=x`);

test("a path that leaves the site once the browser normalises it falls back to the default", () => {
  assert.ok(HOSTILE_RETURN_PATHS.length > 100, String(HOSTILE_RETURN_PATHS.length));
  for (const next of HOSTILE_RETURN_PATHS) {
    const path = safeReturnPath(next);
    assert.ok(
      path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/\\"),
      `${JSON.stringify(next)} -> ${path}`,
    );
    assert.equal(landing(path).origin, ORIGIN, `${JSON.stringify(next)} -> ${path}`);
    // Every one of these is an attack: none is worth keeping.
    assert.equal(path, DEFAULT_RETURN_PATH, `${JSON.stringify(next)} -> ${path}`);
  }
});

test("a path of ours is kept, normalised as the browser would", () => {
  for (const [next, expected] of LOCAL_RETURN_PATHS) {
    assert.equal(safeReturnPath(next), expected, JSON.stringify(next));
    assert.equal(landing(safeReturnPath(next)).href, `${ORIGIN}${expected}`);
  }
});

test("whatever `next` is, the answer is a path that resolves to itself on our origin", () => {
  // Every short string over the characters that matter, so a spelling not thought of is covered.
  const alphabet = ["/", "\\", ".", "%2e", "%2f", "%5c", "e", "\t"];
  const strings = (length: number): string[] =>
    length === 0 ? [""] : strings(length - 1).flatMap((rest) => alphabet.map((piece) => piece + rest));
  let count = 0;
  for (let length = 1; length <= 5; length++) {
    for (const tail of strings(length)) {
      const next = `/${tail}`;
      const path = safeReturnPath(next);
      count++;
      assert.ok(!path.startsWith("//") && !path.startsWith("/\\"), `${JSON.stringify(next)} -> ${path}`);
      assert.equal(landing(path).origin, ORIGIN, `${JSON.stringify(next)} -> ${path}`);
      assert.equal(landing(path).pathname + landing(path).search + landing(path).hash, path, JSON.stringify(next));
    }
  }
  assert.ok(count > 30_000, String(count));
});
