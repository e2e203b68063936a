// A subscription's state in words (colour only repeats them): active, retrying, or paused.
import type { WebhookDto } from "@/lib/webhooks/dto";

export function WebhookStatus({ webhook }: { webhook: WebhookDto }) {
  if (webhook.status === "paused") {
    return <span className="font-medium text-red-700 dark:text-red-400">Paused</span>;
  }
  if (webhook.failureCount > 0) {
    return (
      <span className="font-medium text-amber-700 dark:text-amber-400">Retrying ({webhook.failureCount} failed)</span>
    );
  }
  return <span className="font-medium text-emerald-700 dark:text-emerald-400">Active</span>;
}
