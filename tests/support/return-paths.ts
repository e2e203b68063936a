// Spellings of `next` (sign-in's way back) that a browser's URL parser turns into another site
// or into a path beginning "//" once it has normalised them: dot segments plain and
// percent-encoded in either case, mixed, backslashes, tabs and newlines, and stacks of them.
const DOT_SEGMENTS = [".", "..", "%2e", "%2E", "%2e%2e", "%2E%2E", ".%2e", "%2e.", ".%2E", "%2E."];
const SLASHES = ["/", "\\"];
const HOST = "evil.example";

function spellings(): string[] {
  const found = new Set<string>([
    `//${HOST}`,
    `/\\${HOST}`,
    `\\\\${HOST}`,
    `https://${HOST}/`,
    `/.//${HOST}`,
    `/..//${HOST}`,
    `/a/../..//${HOST}`,
    `/a/b/../../..//${HOST}`,
    `/././/${HOST}`,
    `/.\\/${HOST}`,
    `/.\t//${HOST}`,
    `/.\n//${HOST}`,
    `/\t/${HOST}`,
    `/\r\n/${HOST}`,
    `/.//${HOST}/admin?x=1#y`,
    `/.///${HOST}`,
    `/.//${HOST}:443`,
    `/.//user@${HOST}`,
    `/.//%65vil.example`,
  ]);
  for (const dot of DOT_SEGMENTS) {
    for (const first of SLASHES) {
      for (const second of SLASHES) {
        found.add(`/${dot}${first}${second}${HOST}`);
        found.add(`/a/%2e%2e/${dot}${first}${second}${HOST}`);
        found.add(`/${dot}/${dot}${first}${second}${HOST}`);
        found.add(`\\${dot}${first}${second}${HOST}`);
      }
    }
  }
  return [...found];
}

/** Values of `next` that must never send the browser anywhere but a path of ours. */
export const HOSTILE_RETURN_PATHS = spellings();

/** Values a browser normalises to a path of ours, with the path sign-in must send it to. */
export const LOCAL_RETURN_PATHS: Array<[string, string]> = [
  ["/products/3?x=1", "/products/3?x=1"],
  ["/./admin", "/admin"],
  ["/a/../admin/webhooks", "/admin/webhooks"],
  ["/%2e%2E/admin", "/admin"],
  ["/admin/.%2e/activity", "/activity"],
  ["/admin#history", "/admin#history"],
  // An encoded slash is not a separator: these stay paths of ours (a 404 here, not another site).
  ["/.%2f/evil.example", "/.%2f/evil.example"],
  ["/%2e%2f/evil.example", "/%2e%2f/evil.example"],
  ["/.%2F%2Fevil.example", "/.%2F%2Fevil.example"],
];
