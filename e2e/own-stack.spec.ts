// What only a stack of its own can show for real: an empty shop, a database slow to answer (a
// lock held on the products table) and a database that is down. The shared stack of the other
// specs has products and must stay up, so this file starts its own (scripts/stack.ts).
import type { Page } from "@playwright/test";
import pg from "pg";
import { startStack, type Server, type Stack } from "../scripts/stack";
import { expectNoSeriousViolations } from "./axe";
import { expect, test } from "./fixtures";

let stack: Stack;
let server: Server;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  stack = await startStack();
  // An empty shop: no product and so no event (the seed's demo products go).
  await stack.db.$executeRawUnsafe('TRUNCATE "Product" CASCADE');
  server = await stack.startServer();
});
test.afterAll(() => stack?.stop());

const url = (path: string) => `${server.baseUrl}${path}`;

async function signInAsAdmin(page: Page) {
  await page.goto(url("/sign-in"));
  await page.getByLabel("Email").fill(stack.admin.email);
  await page.getByLabel("Password").fill(stack.admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(stack.admin.email);
}

test("an empty shop says so: admins get a link to add the first product, everyone else who to ask", async ({
  page,
}) => {
  await page.goto(url("/"));
  const empty = page.getByTestId("empty-state");
  await expect(empty).toContainText("No products yet");
  await expect(empty).toContainText("Ask an admin of your shop to add products");
  await expect(empty.getByRole("link")).toHaveCount(0);
  // README's screenshot: `UPDATE_SCREENSHOTS=1 npx playwright test e2e/own-stack.spec.ts` after a build.
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: "docs/empty-shop.png" });
  await expectNoSeriousViolations(page);

  await signInAsAdmin(page);
  await page.goto(url("/"));
  await empty.getByRole("link", { name: "Add the first product" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New product" })).toBeVisible();
  await page.goto(url("/admin"));
  await expect(page.getByTestId("empty-state")).toContainText("No products yet");
});

test("while the database is slow to answer, the dashboard says it is loading, then shows the products", async ({
  page,
}) => {
  const locker = new pg.Client({ connectionString: stack.databaseUrl });
  await locker.connect();
  try {
    await locker.query("BEGIN");
    await locker.query('LOCK TABLE "Product" IN ACCESS EXCLUSIVE MODE');
    await page.goto(url("/"), { waitUntil: "commit" });
    await expect(page.getByTestId("page-loading")).toContainText("Loading products…");
    await expect(page.getByTestId("page-loading")).toHaveAttribute("aria-busy", "true");
    await locker.query("ROLLBACK");
  } finally {
    await locker.end();
  }
  await expect(page.getByTestId("empty-state")).toContainText("No products yet");
  await expect(page.getByTestId("page-loading")).toHaveCount(0);
});

test("when the database is down the page says what happened without internals, and Try again recovers", async ({
  page,
}) => {
  await page.goto(url("/"));
  await expect(page.getByTestId("empty-state")).toBeVisible();
  await stack.withDatabaseDown(async () => {
    await page.reload();
    await expect(page.getByRole("heading", { level: 1, name: "This page could not be loaded" })).toBeVisible();
    await expect(page.getByTestId("page-notice").getByRole("alert")).toContainText(
      "The server could not answer just now",
    );
    await expect(page.locator("main")).not.toContainText(/ECONN|prisma|postgres|database|at .*\.ts/i);
    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: "docs/error-page.png" });
    await expectNoSeriousViolations(page);
  });
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByTestId("empty-state")).toContainText("No products yet");
  await expect(page.getByRole("heading", { level: 1, name: "This page could not be loaded" })).toHaveCount(0);
});

test("signed in while the database is down, even the layout cannot load: the whole app says so and recovers", async ({
  page,
}) => {
  await signInAsAdmin(page);
  await stack.withDatabaseDown(async () => {
    // The root layout reads the session: its failure leaves only app/global-error.tsx.
    await page.goto(url("/"));
    await expect(page.getByRole("heading", { level: 1, name: "StockPulse could not be loaded" })).toBeVisible();
    await expect(page.getByTestId("page-notice").getByRole("alert")).toContainText("The server could not answer");
    await expectNoSeriousViolations(page);
  });
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(stack.admin.email);
  await expect(page.getByTestId("empty-state")).toContainText("No products yet");
});
