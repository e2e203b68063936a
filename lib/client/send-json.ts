// The admin pages write through the same REST API as every other client of StockPulse, with
// the session cookie (same origin). Errors come back in the shape of docs/design.md.
export type ApiIssue = { path: string; message: string };
export type ApiFailure = {
  status: number;
  code: string;
  message: string;
  issues?: ApiIssue[];
  current?: unknown;
  /** Bulk writes: the 0-based item the error is about. */
  index?: number;
};
export type ApiResult<T> = { ok: true; data: T } | ({ ok: false } & ApiFailure);

export async function sendJson<T>(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, code: "NETWORK", message: "The server cannot be reached, or its answer was lost." };
  }
  const payload = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.ok) return { ok: true, data: payload as T };
  const error = (payload?.error ?? {}) as Partial<ApiFailure>;
  return {
    ok: false,
    status: response.status,
    code: error.code ?? "HTTP_ERROR",
    message: error.message ?? `The server answered ${response.status}.`,
    issues: error.issues,
    current: error.current,
    index: error.index,
  };
}

/** Field name -> message, from a zod-style list of issues; `rename` maps API fields to form fields. */
export function fieldErrors(issues: ApiIssue[] = [], rename: Record<string, string> = {}) {
  const errors: Record<string, string> = {};
  for (const { path, message } of issues) {
    const field = rename[path] ?? path;
    errors[field] ??= message;
  }
  return errors;
}
