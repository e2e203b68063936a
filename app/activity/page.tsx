import type { Metadata } from "next";
import { HistoryBrowser } from "@/components/history/history-browser";
import { pageUser, requirePageReader } from "@/lib/auth/page-access";

export const metadata: Metadata = { title: "Activity · StockPulse" };

// The shop's whole history, newest first: who changed what and why, filtered and paged, and
// exported as CSV. Linked from the header for signed-in staff; others see it without who and why.
export default async function ActivityPage() {
  await requirePageReader();
  const user = await pageUser();
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Activity</h1>
      <HistoryBrowser heading="Every change, newest first" canSeeAudit={user !== null} />
    </div>
  );
}
