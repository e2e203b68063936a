"use client";
// One webhook subscription's admin page: its status, cursor and why it is paused; pause,
// resume, replay from an event, send a test event, delete; and the delivery log.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { FormStatus, type Outcome } from "@/components/form-status";
import { useDateDisplay } from "@/components/money";
import { sendJson } from "@/lib/client/send-json";
import { buttonClass, cardClass, inputClass } from "@/lib/client/styles";
import { DeliveryLog } from "@/components/webhooks/delivery-log";
import { useDeliveries, useWebhook, type DeliveryPage } from "@/components/webhooks/use-webhook";
import { WebhookStatus } from "@/components/webhooks/webhook-status";
import { formatDateTime } from "@/lib/display-format";
import type { WebhookDeliveryDto, WebhookDto } from "@/lib/webhooks/dto";

const secondaryButton = "rounded border border-slate-300 px-3 py-1.5 text-sm disabled:opacity-50 dark:border-slate-700";

export function WebhookAdmin({ initial, deliveries }: { initial: WebhookDto; deliveries: DeliveryPage }) {
  const router = useRouter();
  const display = useDateDisplay();
  const { data: webhook, mutate } = useWebhook(initial);
  const log = useDeliveries(initial.id, deliveries);
  const [outcome, setOutcome] = useState<Outcome>(null);
  // The action waiting for its answer: its button says so, and every action waits for it.
  const [pending, setPending] = useState<"pause" | "test" | "replay" | "delete" | null>(null);
  const [fromEventId, setFromEventId] = useState("");
  const [confirmingDelete, setConfirmingDelete] = useState(false);

  async function act<T>(
    action: NonNullable<typeof pending>,
    method: string,
    path: string,
    body: unknown,
    done: (data: T) => string,
  ) {
    if (pending) return false;
    setPending(action);
    const result = await sendJson<T>(method, `/api/v1/webhooks/${webhook.id}${path}`, body);
    setPending(null);
    setOutcome(result.ok ? { ok: true, text: done(result.data) } : { ok: false, text: result.message });
    await Promise.all([mutate(), log.mutate()]);
    return result.ok;
  }

  const togglePause = () =>
    act<WebhookDto>("pause", "PATCH", "", { status: webhook.status === "paused" ? "active" : "paused" }, (data) =>
      data.status === "paused" ? "Paused: nothing is sent until you resume." : "Resumed from the cursor.",
    );

  const sendTest = () =>
    act<WebhookDeliveryDto>("test", "POST", "/test", undefined, (delivery) =>
      delivery.ok
        ? `Test event delivered: HTTP ${delivery.statusCode} in ${delivery.latencyMs} ms.`
        : `Test event failed: ${delivery.error ?? `HTTP ${delivery.statusCode}`}.`,
    );

  async function replay(event: React.FormEvent) {
    event.preventDefault();
    const ok = await act<WebhookDto>(
      "replay",
      "POST",
      "/replay",
      { fromEventId: fromEventId.trim() },
      () => `Replaying from event ${fromEventId.trim()}.`,
    );
    if (ok) setFromEventId("");
  }

  async function remove() {
    if (pending) return;
    setPending("delete");
    const result = await sendJson("DELETE", `/api/v1/webhooks/${webhook.id}`);
    if (!result.ok) {
      setPending(null);
      setConfirmingDelete(false);
      return setOutcome({ ok: false, text: result.message });
    }
    router.push("/admin/webhooks");
    router.refresh();
  }

  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <h1 className="text-2xl font-semibold">Webhook {webhook.id}</h1>
        <p className="font-mono text-sm break-all">{webhook.url}</p>
      </div>
      <section aria-label="Status" className={`${cardClass} space-y-4`}>
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
          <dt className="font-medium">Status</dt>
          <dd data-testid="webhook-status">
            <WebhookStatus webhook={webhook} />
          </dd>
          {webhook.pausedReason && (
            <>
              <dt className="font-medium">Why paused</dt>
              <dd data-testid="paused-reason">{webhook.pausedReason}</dd>
            </>
          )}
          {webhook.lastError && (
            <>
              <dt className="font-medium">Last error</dt>
              <dd>{webhook.lastError}</dd>
            </>
          )}
          {webhook.status === "active" && webhook.failureCount > 0 && (
            <>
              <dt className="font-medium">Next attempt</dt>
              <dd>
                <time dateTime={webhook.nextAttemptAt}>
                  {formatDateTime(display, Date.parse(webhook.nextAttemptAt))}
                </time>
              </dd>
            </>
          )}
          <dt className="font-medium">Acknowledged up to event</dt>
          <dd className="tabular-nums" data-testid="webhook-cursor">
            {webhook.cursor}
          </dd>
          <dt className="font-medium">Events</dt>
          <dd>{webhook.kinds === "all" ? "every change" : "stock level changes (low, out, back in stock)"}</dd>
          <dt className="font-medium">Products</dt>
          <dd>{webhook.productIds?.join(", ") ?? "all"}</dd>
          <dt className="font-medium">Created</dt>
          <dd>
            <time dateTime={webhook.createdAt}>{formatDateTime(display, Date.parse(webhook.createdAt))}</time> by{" "}
            {webhook.createdBy}
          </dd>
        </dl>
        <div className="flex flex-wrap items-center gap-3">
          <BusyButton
            type="button"
            onClick={togglePause}
            busy={pending === "pause"}
            busyText={webhook.status === "paused" ? "Resuming…" : "Pausing…"}
            disabled={pending !== null}
            className={buttonClass}
          >
            {webhook.status === "paused" ? "Resume" : "Pause"}
          </BusyButton>
          <BusyButton
            type="button"
            onClick={sendTest}
            busy={pending === "test"}
            busyText="Sending test…"
            disabled={pending !== null}
            className={secondaryButton}
          >
            Send test event
          </BusyButton>
          <button
            type="button"
            aria-haspopup="dialog"
            onClick={() => setConfirmingDelete(true)}
            disabled={pending !== null}
            className={secondaryButton}
          >
            Delete
          </button>
        </div>
        <ConfirmDialog
          open={confirmingDelete}
          title={`Delete webhook ${webhook.id}?`}
          confirmText={`Delete webhook ${webhook.id}`}
          busyText="Deleting…"
          pending={pending === "delete"}
          onConfirm={remove}
          onClose={() => setConfirmingDelete(false)}
        >
          <p>
            Nothing more is sent to <span className="font-mono break-all">{webhook.url}</span>, and its delivery log
            goes too.
          </p>
        </ConfirmDialog>
        <form onSubmit={replay} className="flex flex-wrap items-end gap-3">
          <div className="space-y-1">
            <label htmlFor="replay-from" className="block text-sm font-medium">
              Replay from event id
            </label>
            <input
              id="replay-from"
              inputMode="numeric"
              value={fromEventId}
              onChange={(event) => setFromEventId(event.target.value)}
              className={`${inputClass} w-40`}
            />
          </div>
          <BusyButton
            type="submit"
            busy={pending === "replay"}
            busyText="Replaying…"
            disabled={pending !== null || fromEventId.trim() === ""}
            className={secondaryButton}
          >
            Replay
          </BusyButton>
        </form>
        <FormStatus outcome={outcome} />
      </section>
      <DeliveryLog id={webhook.id} page={log.data} />
    </div>
  );
}
