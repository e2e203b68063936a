// Every page, checked with axe (@axe-core/playwright) in the light and the dark colour scheme, at
// desktop and at phone width (the header folds into a menu, tables into cards): no serious or
// critical violation. A new page is one line in e2e/routes.ts.
// The error pages and the empty shop need a stack of their own: e2e/own-stack.spec.ts checks them.
import type { Page } from "@playwright/test";
import { expectNoSeriousViolations } from "./axe";
import { expect, test, type Credentials, type Staff } from "./fixtures";
import { ROUTES } from "./routes";

const VIEWPORTS = [
  { name: "desktop", viewport: { width: 1280, height: 720 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
];

async function signInAs(page: Page, staff: Staff, role: "admin" | "viewer") {
  const who: Credentials = await staff[role]();
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Checking a password hash is slow on purpose, and slower on a busy machine.
  await expect(page.getByTestId("signed-in-as")).toContainText(who.email, { timeout: 15_000 });
}

for (const { name: width, viewport } of VIEWPORTS) {
  test.describe(width, () => {
    test.use({ viewport });
    for (const route of ROUTES) {
      test(`a11y: ${route.name} has no serious or critical violations, light or dark, at ${width} width`, async ({
        page,
        shop,
        staff,
      }) => {
        test.setTimeout(120_000); // axe twice over a long page (the API reference) on a busy machine
        if (route.as) await signInAs(page, staff, route.as);
        await page.goto(typeof route.path === "string" ? route.path : await route.path({ shop, page }));
        await expect(page.getByRole("heading", { level: 1, name: route.heading })).toBeVisible();
        await expect(page.getByTestId("page-loading")).toHaveCount(0);
        await expectNoSeriousViolations(page);
      });
    }
  });
}
