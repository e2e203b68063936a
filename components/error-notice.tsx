"use client";
// The body of every error page (app/**/error.tsx): what happened, in words that leak nothing of
// the server (production errors from the server carry only a digest, which staff can quote and
// the log has), a retry that loads the part again, and a way back.
import { useEffect, useState, useSyncExternalStore } from "react";
import { PageNotice } from "@/components/page-notice";
import { buttonClass } from "@/lib/client/styles";

export function ErrorNotice({
  error,
  retry,
  what,
  back,
}: {
  error: unknown;
  retry: () => void;
  what: string;
  back: { href: string; label: string };
}) {
  // Retrying until the part loads (this goes) or fails again (a new error arrives).
  const [retrying, setRetrying] = useState<unknown>(null);
  const offline = useSyncExternalStore(
    subscribeOnline,
    () => !navigator.onLine,
    () => false,
  );
  useEffect(() => console.error(error), [error]);
  const busy = retrying !== null && retrying === error;
  const digest = error instanceof Error ? (error as Error & { digest?: string }).digest : undefined;
  return (
    <PageNotice
      title={`${what} could not be loaded`}
      back={back}
      actions={
        <button
          type="button"
          className={buttonClass}
          disabled={busy}
          aria-busy={busy || undefined}
          onClick={() => {
            setRetrying(error);
            retry();
          }}
        >
          {busy ? "Trying again…" : "Try again"}
        </button>
      }
    >
      <p role="alert">
        {offline
          ? "This browser is offline. Nothing you saved is lost: try again once the connection is back."
          : "The server could not answer just now. Nothing you saved is lost: try again in a moment."}
      </p>
      {digest ? <p className="text-xs">Reference for the server log: {digest}</p> : null}
    </PageNotice>
  );
}

function subscribeOnline(onChange: () => void) {
  window.addEventListener("online", onChange);
  window.addEventListener("offline", onChange);
  return () => {
    window.removeEventListener("online", onChange);
    window.removeEventListener("offline", onChange);
  };
}
