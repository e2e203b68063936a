// Reading a request's JSON body, for the route handlers and the node:http write path alike:
// bounded in size, UTF-8 only, and every way it can be wrong is a 4xx that says so.
import { ApiError } from "@/lib/errors";

export const MAX_BODY_BYTES = 16 * 1024;

/** What readJson needs of a request: a web `Request`, or node:http's (lib/products/transport-node.ts). */
export type BodySource = {
  headers: { get(name: string): string | null };
  body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | null;
};

/** The body as text, refusing (413) past `maxBytes` without reading more than that. */
async function readLimited(request: BodySource, maxBytes: number): Promise<string> {
  const tooLarge = () => new ApiError(413, "BODY_TOO_LARGE", `Request body is larger than ${maxBytes / 1024} KiB`);
  if (Number(request.headers.get("content-length") ?? 0) > maxBytes) throw tooLarge();
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * A body that may be left out (POST .../archive): no body at all, or an empty one, is `{}`;
 * anything sent is read as readJson reads it.
 */
export async function readOptionalJson(request: BodySource, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  if (request.headers.get("content-type") === null) {
    const text = await readLimited(request, maxBytes);
    if (text.trim() === "") return {};
    throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
  }
  return readJson(request, maxBytes, true);
}

/** Reads a JSON body of at most `maxBytes`; anything else is a 4xx that says what was wrong. */
export async function readJson(
  request: BodySource,
  maxBytes = MAX_BODY_BYTES,
  emptyIsObject = false,
): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
  }
  // JSON is UTF-8 (RFC 8259); a body declared otherwise would be decoded wrongly, so say so.
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1];
  if (charset && !/^utf-?8$/i.test(charset)) {
    throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", `Content-Type charset must be utf-8, not ${charset}`);
  }
  const text = await readLimited(request, maxBytes);
  if (text.trim() === "" && emptyIsObject) return {};
  if (text.trim() === "") throw new ApiError(400, "INVALID_JSON", "Request body is empty; expected a JSON object");
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "INVALID_JSON", "Request body is not valid JSON");
  }
}
