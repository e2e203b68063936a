// Every page, checked with axe (@axe-core/playwright) in the light and the dark colour scheme, at
// desktop and at phone width (the header folds into a menu, tables into cards), signed in as an
// admin (who sees the most: edit links, the stock value, the admin pages) unless the page is for
// someone else: no serious or critical violation. A new page is one line in e2e/routes.ts.
// The error pages and the empty shop need a stack of their own: e2e/own-stack.spec.ts checks them.
import { expectNoSeriousViolations } from "./axe";
import { expect, test } from "./fixtures";
import { ROUTES } from "./routes";
import { signInAs } from "./support";

const VIEWPORTS = [
  { name: "desktop", viewport: { width: 1280, height: 720 } },
  // The narrowest phone the app is made for (README: 360 px and up).
  { name: "phone", viewport: { width: 360, height: 780 } },
];

for (const { name: width, viewport } of VIEWPORTS) {
  test.describe(width, () => {
    test.use({ viewport });
    for (const route of ROUTES) {
      const as = route.as ?? "admin";
      test(`a11y: ${route.name} has no serious or critical violations, light or dark, at ${width} width, ${as === "anonymous" ? "signed out" : `as ${as}`}`, async ({
        page,
        shop,
        staff,
      }) => {
        test.setTimeout(120_000); // axe twice over a long page (the API reference) on a busy machine
        await signInAs(page, staff, as);
        await page.goto(typeof route.path === "string" ? route.path : await route.path({ shop, page }));
        await expect(page.getByRole("heading", { level: 1, name: route.heading })).toBeVisible();
        await expect(page.getByTestId("page-loading")).toHaveCount(0);
        await expectNoSeriousViolations(page);
      });
    }
  });
}
