// One webhook request: POST the body to the address that was checked (target.ts), never
// following redirects, within one time limit for connect, send and the response's status line
// and first bytes. Only a short excerpt of the response is kept.
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import type { DeliveryTarget } from "@/lib/webhooks/target";

export const EXCERPT_BYTES = 200;

export type SendResult = {
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  excerpt: string | null;
};

export function sendWebhook(
  target: DeliveryTarget,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<SendResult> {
  const started = performance.now();
  const { url, address, family } = target;
  const secure = url.protocol === "https:";
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<SendResult, "latencyMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve({ ...result, latencyMs: Math.round(performance.now() - started) });
    };
    const request = (secure ? https : http).request({
      // The checked address, not the name: no second DNS lookup between check and connect.
      host: address,
      family,
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: "POST",
      agent: false,
      // TLS still verifies the certificate against the URL's host name.
      ...(secure && !isIP(url.hostname.replace(/^\[(.*)\]$/, "$1")) ? { servername: url.hostname } : {}),
      headers: {
        host: url.host,
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body).toString(),
        "user-agent": "StockPulse-Webhooks/1",
        ...headers,
      },
    });
    const timer = setTimeout(
      () => finish({ statusCode: null, error: `timed out after ${timeoutMs} ms`, excerpt: null }),
      timeoutMs,
    );
    request.on("error", (error: NodeJS.ErrnoException) =>
      finish({ statusCode: null, error: error.code ?? error.message, excerpt: null }),
    );
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () =>
        finish({
          statusCode: response.statusCode ?? null,
          error: null,
          excerpt: chunks.length ? excerptOf(Buffer.concat(chunks)) : null,
        });
      response.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= EXCERPT_BYTES) done();
      });
      response.on("end", done);
      response.on("error", done);
    });
    request.end(body);
  });
}

/** At most EXCERPT_BYTES of UTF-8, cut at a character boundary. */
function excerptOf(bytes: Buffer): string {
  let text = bytes.subarray(0, EXCERPT_BYTES).toString("utf8");
  while (Buffer.byteLength(text) > EXCERPT_BYTES || text.endsWith("\uFFFD")) text = text.slice(0, -1);
  return text;
}
