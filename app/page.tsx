import { Suspense } from "react";
import { AlertsPanel } from "@/components/alerts-panel";
import { PageSkeleton } from "@/components/page-skeleton";
import { ProductTable } from "@/components/product-table/product-table";
import { pageUser, requirePageReader } from "@/lib/auth/page-access";
import { env } from "@/lib/env";
import { fetchRecentAlerts } from "@/lib/events/alerts";
import { fetchProductSnapshot } from "@/lib/products/queries";

// Read per request. Every other page and route is dynamic by itself (route handlers are, and the
// layouts read the session cookie; `next build` lists them all as ƒ without this), but this one
// must not become a build-time snapshot should the root layout ever stop reading cookies.
export const dynamic = "force-dynamic";

const ALERTS_SHOWN = 20;

// Who may read is settled before anything streams (a sign-in redirect keeps its status); the
// products load behind a skeleton.
export default async function DashboardPage() {
  await requirePageReader();
  return (
    <Suspense fallback={<PageSkeleton title="Products" what="products" rows={10} />}>
      <Dashboard />
    </Suspense>
  );
}

// The live dashboard: rendered from a snapshot on the server, then kept live in the browser.
// The stock alerts sit beside the table on wide screens and above it on narrow ones. They come
// first in the page, with a link for each recent alert, so a link to skip them to the products
// comes before them (shown when it has the keyboard focus). Admins get an Edit link on each row;
// the total stock value is for staff (PUBLIC_STOCK_VALUE shows it to every reader).
async function Dashboard() {
  const [snapshot, alerts, user] = await Promise.all([
    fetchProductSnapshot(),
    fetchRecentAlerts(ALERTS_SHOWN),
    pageUser(),
  ]);
  // Decided here, on the server: what a visitor may not see never reaches their browser.
  const admin = user?.role === "admin";
  return (
    <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_16rem]">
      <div className="xl:order-2">
        <a
          href="#products-heading"
          className="sr-only rounded bg-white px-3 py-2 text-sm underline focus:not-sr-only focus:mb-2 focus:inline-block dark:bg-slate-900"
        >
          Skip the stock alerts to the products
        </a>
        <AlertsPanel initial={alerts} lastEventId={snapshot.lastEventId} />
      </div>
      <div className="min-w-0 xl:order-1">
        <ProductTable
          initial={snapshot}
          canAddProducts={admin}
          canEdit={admin}
          showStockValue={user !== null || env().PUBLIC_STOCK_VALUE}
        />
      </div>
    </div>
  );
}
