// The admin's list of webhook subscriptions (server-rendered; the create form refreshes it).
import Link from "next/link";
import type { WebhookDto } from "@/lib/webhooks/dto";
import { WebhookStatus } from "@/components/webhooks/webhook-status";

export function WebhookList({ webhooks }: { webhooks: WebhookDto[] }) {
  if (webhooks.length === 0) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="webhooks-empty">
        No webhooks yet. Add one below to send every change, or only stock level changes, to another system.
      </p>
    );
  }
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <table className="w-full text-sm">
        <thead className="bg-slate-100 text-left dark:bg-slate-800">
          <tr>
            <th scope="col" className="px-3 py-2">
              Endpoint
            </th>
            <th scope="col" className="px-3 py-2">
              Events
            </th>
            <th scope="col" className="px-3 py-2">
              Products
            </th>
            <th scope="col" className="px-3 py-2">
              Status
            </th>
            <th scope="col" className="px-3 py-2 text-right">
              Acknowledged up to event
            </th>
          </tr>
        </thead>
        <tbody>
          {webhooks.map((webhook) => (
            <tr key={webhook.id} className="border-t border-slate-100 dark:border-slate-800">
              <td className="px-3 py-2">
                <Link href={`/admin/webhooks/${webhook.id}`} className="font-mono text-xs break-all underline">
                  {webhook.url}
                </Link>
              </td>
              <td className="px-3 py-2">{webhook.kinds === "all" ? "every change" : "stock levels"}</td>
              <td className="px-3 py-2">{webhook.productIds?.join(", ") ?? "all"}</td>
              <td className="px-3 py-2">
                <WebhookStatus webhook={webhook} />
              </td>
              <td className="px-3 py-2 text-right tabular-nums">{webhook.cursor}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
