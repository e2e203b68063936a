// The edit form's rules for what it sends (components/product-edit/changes.ts), as pure functions:
// only what the person changed, each guarded, and "save mine over theirs" never drops or undoes a
// count. The browser tests (e2e/stale-edit.spec.ts) drive the same rules through the page.
import assert from "node:assert/strict";
import { test } from "node:test";
import { changedFields, patchBody, pick, rebase } from "../components/product-edit/changes";
import type { ProductDto } from "../lib/products/dto";

const product = (changes: Partial<ProductDto>): ProductDto =>
  ({
    id: 1,
    sku: "COF-1",
    name: "Coffee",
    priceCents: 899,
    stock: 10,
    lowStockThreshold: 3,
    version: 4,
    ...changes,
  }) as ProductDto;

test("only the changed fields are sent: the version guards fields, the counted-against stock guards a count", () => {
  const base = product({});
  assert.deepEqual(patchBody(changedFields({ ...pick(base), priceCents: 949 }, base), base), {
    priceCents: 949,
    expectedVersion: 4,
  });
  assert.deepEqual(patchBody(changedFields({ ...pick(base), stock: 12 }, base), base, "correction"), {
    stock: 12,
    expectedStock: 10,
    reason: "correction",
  });
});

test("save mine over theirs keeps their sale: my price on their stock, my count only as its difference", () => {
  const base = product({});
  const theirs = product({ stock: 7, version: 5 });
  const priceOnly = rebase({ priceCents: 949 }, base, theirs, null);
  assert.deepEqual(priceOnly.mine, { priceCents: 949 });
  assert.equal(priceOnly.result.stock, 7);
  assert.equal(priceOnly.needsStockChoice, false);

  const count = rebase({ stock: 12 }, base, theirs, null);
  assert.equal(count.needsStockChoice, true, "a count against a moved stock needs a choice");
  const asDifference = rebase({ stock: 12 }, base, theirs, "difference");
  assert.deepEqual(asDifference.mine, { stock: 9 });
  assert.equal(asDifference.needsStockChoice, false);
});

test("a difference a later sale made impossible asks again instead of dropping the count", () => {
  const base = product({});
  // Counted 10 -> 4 (a difference of -6); the till then sold down to 3: -6 would go below 0.
  const plan = rebase({ stock: 4, priceCents: 949 }, base, product({ stock: 3, version: 6 }), "difference");
  assert.equal(plan.stockInvalid, true);
  assert.equal(plan.needsStockChoice, true);
});
