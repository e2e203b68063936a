// Content-Security-Policy for pages, with a fresh nonce per request: Next.js puts the nonce on
// its own inline and chunk scripts (it reads it from the request's CSP header), so no other
// script runs. API responses get a stricter fixed policy from next.config.js. And the page
// request's id (lib/http/request-id.ts), in the X-Request-Id request and response headers; API
// routes take theirs in withErrors (lib/errors.ts), without a proxy: Next's proxy costs an API
// request about as much CPU as the rest of its handling (bench/writes.ts).
import { NextResponse, type NextRequest } from "next/server";
import { REQUEST_ID_HEADER, requestIdUnderNext } from "@/lib/http/request-id";

export function proxy(request: NextRequest) {
  const requestId = requestIdUnderNext(request.headers.get(REQUEST_ID_HEADER));
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const dev = process.env.NODE_ENV === "development";
  const policy = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // React style attributes (row highlights, chart sizes) need inline styles; scripts do not.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

  const headers = new Headers(request.headers);
  headers.set(REQUEST_ID_HEADER, requestId);
  headers.set("x-nonce", nonce);
  headers.set("x-pathname", request.nextUrl.pathname + request.nextUrl.search); // for sign-in's way back
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}

// Every page request, prefetches included: each HTML or RSC response carries the policy, and
// x-request-id, x-pathname and x-nonce always come from here, never from the client.
export const config = {
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico).*)"],
};
