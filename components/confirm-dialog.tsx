"use client";
// A confirmation in a native modal <dialog> (showModal): the browser keeps focus inside it, makes
// the rest of the page inert and closes it on Escape. Focus starts on Cancel, the safe answer,
// and goes back to whatever opened it (its button) when it closes, however it closes.
import { useEffect, useId, useRef } from "react";
import { BusyButton } from "@/components/busy-button";
import { buttonClass } from "@/lib/client/styles";

const secondaryClass = "rounded border border-slate-300 px-4 py-2 disabled:opacity-50 dark:border-slate-700";

export function ConfirmDialog({
  open,
  title,
  children,
  confirmText,
  busyText,
  pending,
  onConfirm,
  onClose,
  "data-testid": testId,
}: {
  open: boolean;
  title: string;
  /** What confirming does, in words: the dialog's description. */
  children: React.ReactNode;
  confirmText: string;
  busyText: string;
  /** The confirmed action is on its way: the buttons wait, and Escape does not close. */
  pending: boolean;
  onConfirm: () => void;
  /** Closed without confirming (Cancel, Escape); the parent sets `open` false. */
  onClose: () => void;
  "data-testid"?: string;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const id = useId();

  useEffect(() => {
    const element = dialog.current!;
    if (open && !element.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      element.showModal();
      cancel.current?.focus();
    } else if (!open && element.open) {
      element.close();
    }
  }, [open]);

  return (
    <dialog
      ref={dialog}
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-text`}
      data-testid={testId}
      onCancel={(event) => {
        if (pending) event.preventDefault();
      }}
      onClose={() => {
        // Chromium lets a page refuse Escape only once per user activation: pressed again, the
        // dialog closes without a cancellable cancel event. While the action is on its way a
        // closed dialog would look cancelled, so it is shown again until the answer closes it
        // (unless the parent closed it: `open` false).
        if (pending && open) {
          dialog.current?.showModal();
          return;
        }
        // Back to the button that opened it, if it is still on the page.
        if (opener.current?.isConnected) opener.current.focus();
        opener.current = null;
        onClose();
      }}
      className="m-auto w-[min(32rem,calc(100vw-2rem))] space-y-4 rounded-lg border border-slate-300 bg-white p-5 text-slate-900 shadow-xl backdrop:bg-slate-950/60 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        {title}
      </h2>
      <div id={`${id}-text`} className="text-sm">
        {children}
      </div>
      <div className="flex flex-wrap gap-3">
        <BusyButton type="button" onClick={onConfirm} busy={pending} busyText={busyText} className={buttonClass}>
          {confirmText}
        </BusyButton>
        <button
          ref={cancel}
          type="button"
          onClick={() => dialog.current?.close()}
          disabled={pending}
          className={secondaryClass}
        >
          Cancel
        </button>
      </div>
    </dialog>
  );
}
