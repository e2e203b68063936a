"use client";
// A write that got no answer may or may not have been applied: the connection dropped after the
// server committed, or the server failed after. Sending it again must not apply it twice (a
// second "+5 restock", a second product), so every write from a page carries an Idempotency-Key
// (docs/api.md, Idempotent writes) and the same request sent again after no answer reuses it:
// the server then answers what it answered the first time.
import { useCallback, useRef } from "react";
import { sendJson, type ApiFailure, type ApiResult } from "@/lib/client/send-json";

/** What a page says when a write got no answer; sending it again is safe. */
export const NO_ANSWER =
  "No answer from the server: the change may or may not have been applied. Send it again to retry; it will not apply twice.";

/** A fresh Idempotency-Key. getRandomValues, since randomUUID exists only on secure pages (HTTPS
 * or localhost), and a shop's server on its own network is often plain HTTP. */
export function newIdempotencyKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** No answer, a server failure, or the first attempt still running: it may have been applied. */
export function mayHaveApplied(failure: Pick<ApiFailure, "status" | "code">): boolean {
  return failure.status === 0 || failure.status >= 500 || failure.code === "IDEMPOTENCY_IN_PROGRESS";
}

/**
 * sendJson with an Idempotency-Key that is reused when the same request is sent again after one
 * that may have been applied; any other request gets a fresh key.
 */
export function useRetrySafeSend() {
  const unanswered = useRef<{ request: string; key: string } | null>(null);
  return useCallback(async function send<T>(method: string, url: string, body?: unknown): Promise<ApiResult<T>> {
    const request = JSON.stringify([method, url, body]);
    const key = unanswered.current?.request === request ? unanswered.current.key : newIdempotencyKey();
    unanswered.current = null;
    const result = await sendJson<T>(method, url, body, { "idempotency-key": key });
    if (!result.ok && mayHaveApplied(result)) unanswered.current = { request, key };
    return result;
  }, []);
}
