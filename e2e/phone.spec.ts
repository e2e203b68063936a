// Staff use the app on their phones: every page fits a phone's width (360 and 390 px) for an
// admin, a viewer and someone signed out, with no sideways scrolling of the page and nothing
// sticking out of it (a table may scroll inside its own box). The header folds into a menu.
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { pageRoutes, ROUTES } from "./routes";
import { signInAs } from "./support";

const WIDTHS = [390, 360];
const ROLES = ["admin", "viewer", "anonymous"] as const;

/** What makes the page wider than the window: the page's scroll width, and each element past its edges. */
function overflow(page: Page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const width = root.clientWidth;
    const describe = (element: Element) => {
      const id = element.id ? `#${element.id}` : "";
      const testId = element.getAttribute("data-testid");
      const text = (element.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 40);
      return `<${element.tagName.toLowerCase()}${id}${testId ? ` data-testid=${testId}` : ""}> "${text}"`;
    };
    // An element inside a box that scrolls or clips sideways (a table's frame) may be wider than
    // the window; an absolutely placed one only if that box is its containing block or holds it.
    const contained = (element: Element) => {
      const { position } = getComputedStyle(element);
      let escapes = position === "absolute" || position === "fixed";
      for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
        const style = getComputedStyle(box);
        if (escapes && position === "absolute" && style.position !== "static") escapes = false;
        if (!escapes && style.overflowX !== "visible") return true;
      }
      return false;
    };
    const outside: string[] = [];
    for (const element of document.body.querySelectorAll("*")) {
      const rect = element.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      if (rect.left >= -1 && rect.right <= width + 1) continue;
      const style = getComputedStyle(element);
      if (style.visibility === "hidden") continue;
      if (contained(element)) continue;
      outside.push(`${describe(element)} spans ${Math.round(rect.left)}..${Math.round(rect.right)} px`);
    }
    return { scrollWidth: root.scrollWidth, clientWidth: width, outside: outside.slice(0, 8) };
  });
}

test("the phone check visits every page of the app", () => {
  const covered = new Set(ROUTES.map((route) => route.pattern).filter(Boolean));
  expect(pageRoutes().filter((pattern) => !covered.has(pattern))).toEqual([]);
});

for (const width of WIDTHS) {
  for (const role of ROLES) {
    test(`every page fits a ${width} px wide phone, ${role === "anonymous" ? "signed out" : `as ${role}`}`, async ({
      page,
      shop,
      staff,
    }) => {
      test.setTimeout(120_000);
      await page.setViewportSize({ width, height: 844 });
      await signInAs(page, staff, role);
      const tooWide: Record<string, unknown> = {};
      for (const route of ROUTES) {
        await test.step(route.name, async () => {
          const path = typeof route.path === "string" ? route.path : await route.path({ shop, page });
          await page.goto(path);
          // Whatever the page is for this person (a sign-in or "admins only" page instead, maybe).
          await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
          await expect(page.getByTestId("page-loading")).toHaveCount(0);
          const found = await overflow(page);
          if (found.scrollWidth > found.clientWidth || found.outside.length > 0)
            tooWide[`${route.name} (${path})`] = found;
        });
      }
      expect(tooWide, `pages wider than ${width} px`).toEqual({});
    });
  }
}

test.describe("at phone width", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("the header folds into a menu: a button that says whether it is open, Escape closes it and focus goes back", async ({
    page,
    staff,
  }) => {
    await signInAs(page, staff, "admin");
    await page.goto("/");
    const toggle = page.getByRole("button", { name: "Menu" });
    await expect(toggle).toHaveAttribute("aria-expanded", "false");
    await expect(page.getByRole("link", { name: "Activity" })).toBeHidden();
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-expanded", "true");
    const menu = page.locator(`#${await toggle.getAttribute("aria-controls")}`);
    await expect(menu.getByRole("link", { name: "Activity" })).toBeVisible();
    await expect(menu.getByRole("button", { name: "Sign out" })).toBeVisible();
    await expect(menu.getByTestId("signed-in-as")).toBeVisible();
    // Focus moves into the menu, Escape closes it and gives focus back to the button.
    await expect(menu.getByRole("link").first()).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(toggle).toHaveAttribute("aria-expanded", "false");
    await expect(menu.getByRole("link", { name: "Activity" })).toBeHidden();
    await expect(toggle).toBeFocused();
    // Following a link closes it too.
    await toggle.click();
    await menu.getByRole("link", { name: "Activity" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Activity" })).toBeVisible();
    await expect(toggle).toHaveAttribute("aria-expanded", "false");
  });

  test("the admin list shows product, price and stock of each row without scrolling the table", async ({
    page,
    shop,
    staff,
  }) => {
    for (const [name, priceCents, stock] of [
      ["Darjeeling first flush, 100 g", 1250, 4],
      ["Sencha, 50 g", 89_900, 1250],
      ["Genmaicha", 450, 0],
    ] as const)
      await shop.product({ name, priceCents, stock, lowStockThreshold: 5 });
    await signInAs(page, staff, "admin");
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 844 });
      await page.goto(`/admin?q=${shop.tag}`);
      await expect(page.getByTestId("connection-state")).toHaveAttribute("data-state", "live");
      for (const name of ["Product", "Price", "Stock"]) {
        const box = (await page.getByRole("columnheader", { name }).boundingBox())!;
        expect(box.x + box.width, `${name} column at ${width} px`).toBeLessThanOrEqual(width);
      }
      for (const cell of await page.getByTestId("stock").all()) {
        const box = (await cell.boundingBox())!;
        expect(box.x + box.width, `a stock cell at ${width} px`).toBeLessThanOrEqual(width);
      }
    }
    // README's screenshot: `UPDATE_SCREENSHOTS=1 npx playwright test e2e/phone.spec.ts -g "admin list"` after a build.
    if (process.env.UPDATE_SCREENSHOTS) {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole("checkbox", { name: /^Select Sencha/ }).check();
      await page.screenshot({ path: "docs/admin-phone.png" });
    }
  });

  test("the chart's labels are as big as the page's small print, and do not run into each other", async ({
    page,
    shop,
  }) => {
    const product = await shop.product({ priceCents: 1250, stock: 40 });
    await shop.patch(product.id, { stock: 35, priceCents: 123_456 });
    await page.goto(`/products/${product.id}`);
    await expect(page.getByTestId("stock-chart")).toHaveAttribute("data-points", "2");
    const labels = await page
      .getByTestId("chart-labels")
      .locator("span")
      .evaluateAll((spans) =>
        spans.map((span) => {
          const { left, right, top, bottom } = span.getBoundingClientRect();
          return {
            text: span.textContent,
            size: parseFloat(getComputedStyle(span).fontSize),
            left,
            right,
            top,
            bottom,
          };
        }),
      );
    expect(labels).toHaveLength(6);
    for (const label of labels) expect(label.size, label.text!).toBeGreaterThanOrEqual(12);
    for (const [i, a] of labels.entries())
      for (const b of labels.slice(i + 1)) {
        const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
        expect(apart, `${a.text} and ${b.text} overlap`).toBe(true);
      }
  });

  test("fields that take a negative number ask for a keyboard with a minus sign", async ({ page, shop, staff }) => {
    const { id } = await shop.product();
    await signInAs(page, staff, "admin");
    await page.goto(`/admin/products/${id}`);
    // numeric, decimal and tel keyboards have no minus key on iOS.
    const noMinus = ["numeric", "decimal", "tel"];
    const changeBy = page.getByLabel("Change by");
    await expect(changeBy).toBeVisible();
    expect(noMinus).not.toContain(await changeBy.getAttribute("inputmode"));

    await page.goto(shop.dashboardPath.replace("/", "/admin"));
    await page.getByTestId(`product-row-${id}`).getByRole("checkbox").check();
    const amount = page.getByLabel("Amount (+/-)");
    await expect(amount).toBeVisible();
    expect(noMinus).not.toContain(await amount.getAttribute("inputmode"));
  });
});
