import pg from "pg";
import { expect, test } from "./fixtures";
import { openDashboard, row } from "./support";

// Guarantee 8 in the browser: when the server cannot follow the database, the dashboard says its
// data may be stale instead of "Live", and says "Live" again once the server has caught up.
test("the dashboard shows Stale while the server has lost the database, then Live with what it missed", async ({
  page,
  shop,
}) => {
  const product = await shop.product({ stock: 20 });
  await openDashboard(page, shop.dashboardPath);
  // From the maintenance database: a database cannot refuse connections to itself.
  const url = new URL(process.env.E2E_DATABASE_URL!);
  const database = decodeURIComponent(url.pathname.slice(1));
  url.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    // No new connection may reach the database; the server's LISTEN connection is cut.
    await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'stockpulse-listener'",
    );
    await expect(page.getByTestId("connection-state")).toHaveAttribute("data-state", "stale");
    await expect(page.getByTestId("connection-state")).toContainText("Stale");
  } finally {
    await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`).catch(() => {});
    await admin.end();
  }
  await expect(page.getByTestId("connection-state")).toHaveAttribute("data-state", "live");
  await shop.patch(product.id, { stock: 222 });
  await expect(row(page, product.id).getByTestId("stock")).toHaveText("222");
});
