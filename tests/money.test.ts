// Money in any currency's minor unit (lib/money.ts): the digits come from the currency (EUR 2,
// JPY 0, BHD 3), and the admin form's price parses exactly those digits into minor units.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { exampleAmount, formatAmount, formatMoney, fractionDigits, parseAmount, toMinorUnits } from "../lib/money";
import { productFormSchema } from "../lib/products/validation";

describe("minor units follow the currency", () => {
  test("fraction digits: EUR 2, JPY 0, BHD 3", () => {
    assert.deepEqual(["EUR", "JPY", "BHD"].map(fractionDigits), [2, 0, 3]);
  });

  test("formatting: 1250 EUR is €12.50, 1500 JPY is ¥1,500, 1250 BHD is BHD 1.250", () => {
    assert.equal(formatMoney(1250, "en-GB", "EUR"), "€12.50");
    assert.equal(formatMoney(1500, "en-US", "JPY"), "¥1,500");
    assert.equal(formatMoney(1250, "en-GB", "BHD"), "BHD\u00a01.250"); // a no-break space
  });

  test("amounts to type or export carry exactly the currency's digits", () => {
    assert.deepEqual(
      [
        formatAmount(1250, "EUR"),
        formatAmount(1500, "JPY"),
        formatAmount(1250, "BHD"),
        formatAmount(5, "EUR"),
        formatAmount(-5, "EUR"),
        formatAmount(2_147_483_647, "EUR"),
      ],
      ["12.50", "1500", "1.250", "0.05", "-0.05", "21474836.47"],
    );
    assert.deepEqual(["EUR", "JPY", "BHD"].map(exampleAmount), ["12.50", "1500", "12.500"]);
    assert.equal(toMinorUnits(12.5, "EUR"), 1250);
    assert.equal(toMinorUnits(1500, "JPY"), 1500);
  });

  test("parsing is exact, digit by digit, and refuses more digits than the currency has", () => {
    assert.equal(parseAmount("0.29", "EUR"), 29); // 0.29 * 100 is 28.999999999999996 in floating point
    assert.equal(parseAmount("12,5", "EUR"), 1250);
    assert.equal(parseAmount(" 12 ", "EUR"), 1200);
    assert.equal(parseAmount("1.255", "EUR"), null);
    assert.equal(parseAmount("1500", "JPY"), 1500);
    assert.equal(parseAmount("15.00", "JPY"), null);
    assert.equal(parseAmount("1.250", "BHD"), 1250);
    assert.equal(parseAmount("1.2505", "BHD"), null);
    for (const text of ["", "abc", "-1", "1e3", "0x10", "12.", ".5"])
      assert.equal(parseAmount(text, "EUR"), null, text);
  });
});

describe("the product form's price follows DISPLAY_CURRENCY", () => {
  const values = { name: "Matcha", sku: "TEA-MAT", stock: "3", lowStockThreshold: "1" };
  const priceError = (currency: string, price: string) => {
    const parsed = productFormSchema(currency).safeParse({ ...values, price });
    return parsed.success ? parsed.data.priceCents : parsed.error.issues.map((issue) => issue.message).join("; ");
  };

  test("JPY takes whole yen and says so", () => {
    assert.equal(priceError("JPY", "1500"), 1500);
    assert.equal(priceError("JPY", "12.50"), "price must be an amount like 1500");
  });

  test("EUR takes cents", () => {
    assert.equal(priceError("EUR", "12.50"), 1250);
    assert.equal(priceError("EUR", "12.505"), "price must be an amount like 12.50");
  });

  test("BHD takes fils", () => {
    assert.equal(priceError("BHD", "1.250"), 1250);
  });

  test("an amount past the column's range is refused, not wrapped", () => {
    assert.equal(priceError("JPY", "2147483648"), "price is too large");
  });
});
