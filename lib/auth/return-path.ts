// Where sign-in sends the browser afterwards (`/sign-in?next=...`). Only a path on this site:
// `next` is resolved as a URL against a placeholder origin, the way the browser will resolve it
// (WHATWG URL), and anything that lands elsewhere ("/\evil.example", "/\t/evil.example",
// "//evil.example", "https://evil.example") or carries control characters falls back to the
// default. So does a path that only becomes another site once normalised: "/.//evil.example"
// resolves here, but its path "//evil.example", sent on as a Location, is another host.
const PLACEHOLDER_ORIGIN = "http://stockpulse.invalid";
const CONTROL_CHARACTERS = /[\u0000-\u001F\u007F]/;

export const DEFAULT_RETURN_PATH = "/admin";

/** `next` as a path on this site, or the default. Not a string (absent, repeated): the default. */
export function safeReturnPath(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/") || CONTROL_CHARACTERS.test(next)) return DEFAULT_RETURN_PATH;
  let url: URL;
  try {
    url = new URL(next, PLACEHOLDER_ORIGIN);
  } catch {
    return DEFAULT_RETURN_PATH;
  }
  if (url.origin !== PLACEHOLDER_ORIGIN) return DEFAULT_RETURN_PATH;
  const path = url.pathname + url.search + url.hash;
  // The path handed on must itself resolve to exactly this URL: "//host" and "/\host" do not.
  if (path.startsWith("//") || path.startsWith("/\\")) return DEFAULT_RETURN_PATH;
  return new URL(path, PLACEHOLDER_ORIGIN).href === url.href ? path : DEFAULT_RETURN_PATH;
}
