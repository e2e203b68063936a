// Pages that show one record answer a real 404 when the id is malformed or names nothing. The
// check runs in the segment's layout, before its loading.tsx starts streaming: once the stream
// has begun the status is fixed at 200 (Next.js, "loading.js: status codes").
import { notFound } from "next/navigation";
import type { z } from "zod";
import { ApiError } from "@/lib/errors";

/** The id parsed with `schema`, after `exists` found it; otherwise the nearest not-found page. */
export async function findOr404<Id>(raw: string, schema: z.ZodType<Id, string>, exists: (id: Id) => Promise<unknown>) {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) notFound();
  try {
    await exists(parsed.data);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) notFound();
    throw error;
  }
  return parsed.data;
}
