// Sends a CSV file with XMLHttpRequest, not fetch: only XHR reports upload progress, which the
// import page shows for large files. Answers like sendJson: the data, or the API's message.
export type UploadResult<T> =
  | { ok: true; data: T }
  | { ok: false; status: number; code: string; message: string; details: Record<string, unknown> };

export function uploadCsv<T>(
  url: string,
  file: Blob,
  {
    headers = {},
    onProgress,
  }: { headers?: Record<string, string>; onProgress?: (sent: number, total: number) => void },
): Promise<UploadResult<T>> {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.setRequestHeader("content-type", "text/csv");
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => onProgress?.(event.loaded, event.lengthComputable ? event.total : file.size);
    // Sent in full: the server's step begins (also when no progress event came before).
    request.upload.onload = () => onProgress?.(file.size, file.size);
    request.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        // not JSON: a proxy's page
      }
      if (request.status >= 200 && request.status < 300) return resolve({ ok: true, data: body as T });
      const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
      resolve({
        ok: false,
        status: request.status,
        code: error?.code ?? "UNKNOWN",
        message: error?.message ?? `The server answered ${request.status}`,
        details: (error ?? {}) as Record<string, unknown>,
      });
    };
    request.onerror = () =>
      resolve({
        ok: false,
        status: 0,
        code: "NETWORK",
        message: "The server cannot be reached: check the connection",
        details: {},
      });
    request.send(file);
  });
}
