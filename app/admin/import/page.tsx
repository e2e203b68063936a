import { ImportPanel } from "@/components/import/import-panel";
import { requireAdminPage } from "@/lib/auth/page-access";
import { env } from "@/lib/env";

export const metadata = { title: "Import CSV · StockPulse" };

export default async function ImportPage() {
  await requireAdminPage();
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Import a stocktake or price list</h1>
      <ImportPanel locale={env().DISPLAY_LOCALE} />
    </div>
  );
}
