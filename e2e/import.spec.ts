// The CSV import page with the files a shop's spreadsheet saves (tests/fixtures/imports): the
// fixtures' SKUs get this test's tag, the rest of each file is as saved.
import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { adminToken, expect, test, type Shop } from "./fixtures";
import { openDashboard, row, signIn } from "./support";

const FIXTURE_SKUS = ["COF-250", "COF-1000", "MLK-OAT-1L", "TEA-GRN-50", "CUP-PAPER-8OZ", "NOPE-404"];

/** A fixture file with each SKU made this test's own. */
function fixtureFile(name: string, shop: Shop) {
  let text = readFileSync(new URL(`../tests/fixtures/imports/${name}`, import.meta.url), "utf8");
  for (const sku of FIXTURE_SKUS) text = text.replaceAll(new RegExp(`^${sku}(?=[,;])`, "gm"), shop.sku(sku));
  return { name, mimeType: "text/csv", buffer: Buffer.from(text) };
}

const changeRow = (page: import("@playwright/test").Page, sku: string) =>
  page.getByRole("row").filter({ has: page.getByRole("cell", { name: sku, exact: true }) });

test("upload a stocktake, see old -> new, apply it with a reason, and the dashboard follows", async ({
  page,
  browser,
  shop,
  staff,
}) => {
  const beans = await shop.product({ sku: "COF-250", name: "Espresso beans, 250 g", stock: 20 });
  await shop.product({ sku: "COF-1000", name: "Espresso beans, 1 kg", stock: 4 });
  const oat = await shop.product({ sku: "MLK-OAT-1L", name: "Oat milk, 1 l", stock: 6 });
  await shop.product({ sku: "TEA-GRN-50", name: "Green tea 50 bags", stock: 25 });
  await shop.product({ sku: "CUP-PAPER-8OZ", name: "Paper cup 8 oz", stock: 300 });
  const dashboard = await browser.newPage();
  await openDashboard(dashboard, shop.dashboardPath);

  await signIn(page, await staff.admin(), "/admin");
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Import CSV" }).click();
  await expect(page.getByRole("heading", { name: "Import a stocktake or price list" })).toBeVisible();
  await expect(page.getByLabel("Stocktake (counts)")).toBeChecked();
  await expect(page.getByLabel("Reason")).toHaveValue(/^stocktake \d{4}-\d{2}$/);
  await page.getByLabel("CSV file").setInputFiles(fixtureFile("stocktake.csv", shop));

  await expect(page.getByTestId("import-summary")).toHaveText(
    "5 rows: 4 will change, 1 unchanged, 0 conflicts, 0 unknown SKUs, 0 invalid cells.",
  );
  await expect(changeRow(page, shop.sku("COF-250"))).toContainText(`2${shop.sku("COF-250")}Espresso beans, 250 g`);
  await expect(changeRow(page, shop.sku("COF-250"))).toContainText("20 → 18");
  await expect(changeRow(page, shop.sku("MLK-OAT-1L"))).toContainText("6 → 0");
  await expect(page.getByText("Ignored columns: Name.")).toBeVisible();
  // README's screenshot: `UPDATE_SCREENSHOTS=1 npx playwright test e2e/import.spec.ts` after a build.
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: "docs/import.png", fullPage: true });

  await page.getByLabel("Reason").fill("stocktake 2026-11");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Applied" })).toHaveText(
    "Applied (stocktake 2026-11): 4 products changed, 1 unchanged.",
  );
  await expect(row(dashboard, beans.id).getByTestId("stock")).toHaveText("18");
  await expect(row(dashboard, oat.id)).toContainText("Out of stock");
});

test("a German price list (`;`, decimal commas, BOM) previews in the shop currency; Cancel changes nothing", async ({
  page,
  shop,
  staff,
}) => {
  const beans = await shop.product({ sku: "COF-250", name: "Espressobohnen, 250 g", priceCents: 1190 });
  for (const sku of ["COF-1000", "MLK-OAT-1L", "TEA-GRN-50", "CUP-PAPER-8OZ"]) await shop.product({ sku });
  await signIn(page, await staff.admin(), "/admin/import");
  await page.getByLabel("Price list").check();
  await expect(page.getByLabel("Reason")).toHaveValue(/^price list \d{4}-\d{2}$/);
  await page.getByLabel("CSV file").setInputFiles(fixtureFile("prices-de.csv", shop));
  await expect(changeRow(page, shop.sku("COF-250"))).toContainText("€11.90 → €12.50");
  await expect(changeRow(page, shop.sku("CUP-PAPER-8OZ"))).toContainText("€9.99 → €0.15");
  await expect(page.getByText(/^Columns are separated by semicolons/)).toBeVisible();
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Cancelled" })).toHaveText("Cancelled: nothing was changed.");
  await expect(page.getByTestId("import-summary")).toHaveCount(0);
  const now = await (await page.request.get(`/api/v1/products/${beans.id}`)).json();
  expect(now.priceCents).toBe(1190);
});

test("a product changed after the preview: Apply is refused naming its line; Preview again shows it and applies", async ({
  page,
  shop,
  staff,
}) => {
  const products = [];
  for (const [sku, stock] of [
    ["COF-250", 20],
    ["COF-1000", 4],
    ["MLK-OAT-1L", 6],
    ["TEA-GRN-50", 25],
    ["CUP-PAPER-8OZ", 300],
  ] as const)
    products.push(await shop.product({ sku, stock }));
  await signIn(page, await staff.admin(), "/admin/import");
  await page.getByLabel("CSV file").setInputFiles(fixtureFile("stocktake.csv", shop));
  await expect(changeRow(page, shop.sku("TEA-GRN-50"))).toContainText("25 → 30");
  // A sale on the till meanwhile.
  await shop.patch(products[3].id, { stock: 24 });
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Not applied" })).toHaveText(
    "Not applied: The product on line 5 changed after the preview: preview the file again",
  );
  const tea = await (await page.request.get(`/api/v1/products/${products[3].id}`)).json();
  expect(tea.stock).toBe(24);
  await page.getByRole("button", { name: "Preview again" }).click();
  await expect(changeRow(page, shop.sku("TEA-GRN-50"))).toContainText("24 → 30");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Applied" })).toContainText("4 products changed");
});

test("a broken file: each problem with its line number, and Apply disabled", async ({ page, shop, staff }) => {
  for (const sku of ["COF-250", "COF-1000", "MLK-OAT-1L", "TEA-GRN-50"]) await shop.product({ sku, stock: 10 });
  await signIn(page, await staff.admin(), "/admin/import");
  await page.getByLabel("CSV file").setInputFiles(fixtureFile("broken.csv", shop));
  const problems = page.getByRole("list", { name: "Problems" }).getByRole("listitem");
  await expect(problems).toHaveText([
    /^Line 3: count: a formula, not a value/,
    /^Line 4: count: count must be a whole number of 0 or more, not "twelve"/,
    new RegExp(`^Line 5: sku: sku ${shop.sku("COF-250")} is on lines 2 and 5`),
    new RegExp(`^Line 6: unknown sku ${shop.sku("NOPE-404")}`),
  ]);
  await expect(page.getByRole("alert").filter({ hasText: "Nothing can be applied" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Apply" })).toBeDisabled();

  // A file that cannot be read at all says why.
  await page
    .getByLabel("CSV file")
    .setInputFiles({ name: "count.csv", mimeType: "text/csv", buffer: Buffer.from("article;qty\nCOF-250;3\n") });
  await expect(page.getByRole("status").filter({ hasText: "cannot be imported" })).toHaveText(
    "The file cannot be imported: The header must name the columns sku and count; found article;qty",
  );
  await expect(page.getByRole("button", { name: "Apply" })).toBeDisabled();
});

test("10,000 rows: progress in rows while it uploads and applies, then every product changed", async ({
  page,
  shop,
  staff,
  database,
}) => {
  test.setTimeout(180_000);
  const skus = Array.from({ length: 10_000 }, (_, i) => shop.sku(`N${String(i).padStart(5, "0")}`));
  await database.product.createMany({
    data: skus.map((sku, i) => ({
      sku,
      name: `Count item ${i} ${shop.tag}`,
      priceCents: 100,
      stock: 50,
      lowStockThreshold: 5,
    })),
  });
  const file = `sku,count\n${skus.map((sku, i) => `${sku},${(i % 40) + 60}`).join("\n")}\n`;
  await signIn(page, await staff.admin(), "/admin/import");
  await page
    .getByLabel("CSV file")
    .setInputFiles({ name: "stocktake-10000.csv", mimeType: "text/csv", buffer: Buffer.from(file) });
  await expect(page.getByTestId("import-summary")).toHaveText(
    "10,000 rows: 10,000 will change, 0 unchanged, 0 conflicts, 0 unknown SKUs, 0 invalid cells.",
  );
  await expect(page.getByText("and 9,500 more changes (the first 500 are shown).")).toBeVisible();

  // Every state the progress bar shows, recorded as the page changes it (polling could miss a quick step).
  await page.evaluate(() => {
    const seen: string[] = ((window as unknown as { progressSeen: string[] }).progressSeen = []);
    new MutationObserver(() => {
      const label = document.querySelector("[data-testid=import-progress] progress")?.getAttribute("aria-label");
      if (label && seen.at(-1) !== label) seen.push(label);
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Applied" })).toHaveText(
    /Applied \(stocktake \d{4}-\d{2}\): 10,000 products changed, 0 unchanged\./,
    { timeout: 120_000 },
  );
  const progress = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
  expect(progress[0]).toBe("Uploading: 0 of 10,000 rows");
  expect(progress.at(-1)).toBe("Applying 10,000 of 10,000 rows in one transaction");
  const last = await (await page.request.get(`/api/v1/products?sku=${skus.at(-1)}`)).json();
  expect(last.products[0].stock).toBe((9_999 % 40) + 60);
});

test("an old Mac file (CR-only line ends): the progress counts its rows, the preview lists them", async ({
  page,
  shop,
  staff,
}) => {
  for (const sku of ["COF-250", "COF-1000"]) await shop.product({ sku, stock: 5 });
  await signIn(page, await staff.admin(), "/admin/import");
  await page.evaluate(() => {
    const seen: string[] = ((window as unknown as { progressSeen: string[] }).progressSeen = []);
    new MutationObserver(() => {
      const label = document.querySelector("[data-testid=import-progress] progress")?.getAttribute("aria-label");
      if (label && seen.at(-1) !== label) seen.push(label);
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  const file = `sku;count\r${shop.sku("COF-250")};7\r${shop.sku("COF-1000")};9\r`;
  await page
    .getByLabel("CSV file")
    .setInputFiles({ name: "count-mac.csv", mimeType: "text/csv", buffer: Buffer.from(file) });
  await expect(page.getByTestId("import-summary")).toHaveText(
    "2 rows: 2 will change, 0 unchanged, 0 conflicts, 0 unknown SKUs, 0 invalid cells.",
  );
  const progress = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
  expect(progress.length).toBeGreaterThan(0);
  expect(progress.filter((label) => !label.includes("of 2 rows"))).toEqual([]);
});

test("the dashboard's export imports back: nothing to change after a till sale; an edit applies, unknown SKUs skipped on purpose", async ({
  page,
  shop,
  staff,
}) => {
  const beans = await shop.product({ sku: "COF-250", name: "Espresso beans", stock: 20, priceCents: 1190 });
  const oat = await shop.product({ sku: "MLK-OAT-1L", name: "Oat milk", stock: 6 });
  await shop.product({ sku: "TEA-GRN-50", name: "Green tea", stock: 25 });
  await signIn(page, await staff.admin(), "/admin");
  await openDashboard(page, shop.dashboardPath);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export CSV" }).click(),
  ]);
  const exported = readFileSync((await download.path())!);

  // The till sells 2 beans after the export.
  const sale = await page.request.post(`/api/v1/products/${beans.id}/stock-adjustments`, {
    headers: { authorization: `Bearer ${adminToken()}` },
    data: { delta: -2, reason: "till" },
  });
  expect(sale.status(), await sale.text()).toBe(200);

  await page.goto("/admin/import");
  await page
    .getByLabel("CSV file")
    .setInputFiles({ name: download.suggestedFilename(), mimeType: "text/csv", buffer: exported });
  await expect(page.getByTestId("import-summary")).toHaveText(
    "3 rows: 0 will change, 3 unchanged, 0 conflicts, 0 unknown SKUs, 0 invalid cells.",
  );
  await expect(page.getByTestId("import-nothing")).toHaveText(
    "Nothing to change: applying this file changes no product.",
  );
  await expect(
    page.getByText("The counts are read from the stock column, as the product export writes it."),
  ).toBeVisible();
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Applied" })).toHaveText(
    /^Applied \(stocktake \d{4}-\d{2}\): 0 products changed, 3 unchanged\.$/,
  );
  expect((await (await page.request.get(`/api/v1/products/${beans.id}`)).json()).stock).toBe(18);

  // Oat milk recounted in the spreadsheet, and a row for a product the shop does not have.
  const [header, ...rows] = parse(exported, { bom: true }) as string[][];
  for (const cells of rows) if (cells[header.indexOf("sku")] === oat.sku) cells[header.indexOf("stock")] = "4";
  const unknown = shop.sku("NOPE-404");
  const extra = header.map((column) => (column === "sku" ? unknown : column === "stock" ? "3" : ""));
  const edited = stringify([header, ...rows, extra], { record_delimiter: "windows" });
  await page
    .getByLabel("CSV file")
    .setInputFiles({ name: "counted.csv", mimeType: "text/csv", buffer: Buffer.from(edited) });
  await expect(page.getByRole("list", { name: "Problems" }).getByRole("listitem")).toHaveText([
    new RegExp(`^Line 5: unknown sku ${unknown}: no product has sku ${unknown}`),
  ]);
  await expect(page.getByRole("button", { name: "Apply" })).toBeDisabled();

  await page.getByLabel("Skip unknown SKUs (no such product, or archived)").check();
  await expect(page.getByRole("list", { name: "Skipped" }).getByRole("listitem")).toHaveText([
    `Line 5: ${unknown}: no product has sku ${unknown}`,
  ]);
  await expect(page.getByRole("list", { name: "Problems" })).toHaveCount(0);
  await expect(changeRow(page, oat.sku)).toContainText("6 → 4");
  await expect(page.getByTestId("import-summary")).toHaveText(
    "4 rows: 1 will change, 2 unchanged, 0 conflicts, 1 unknown SKUs, 0 invalid cells.",
  );
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Applied" })).toHaveText(
    new RegExp(
      `^Applied \\(stocktake \\d{4}-\\d{2}\\): 1 products changed, 2 unchanged\\. 1 row skipped: ${unknown} \\(line 5\\)\\.$`,
    ),
  );
  expect((await (await page.request.get(`/api/v1/products/${oat.id}`)).json()).stock).toBe(4);
  expect((await (await page.request.get(`/api/v1/products/${beans.id}`)).json()).stock).toBe(18);
});
