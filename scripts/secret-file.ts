// A secret generated once and kept in a file only its owner may read (0600): the embedded
// database's password, the demo admin's password and API token. Later runs read it back.
import { randomBytes } from "node:crypto";
import fs from "node:fs";

/** The secret kept in `file`; made there (`bytes` random bytes, base64url) when there is none yet. */
export function secretInFile(file: string, bytes: number): { value: string; generated: boolean } {
  if (fs.existsSync(file)) return { value: fs.readFileSync(file, "utf8").trim(), generated: false };
  const value = randomBytes(bytes).toString("base64url");
  fs.writeFileSync(file, value + "\n", { mode: 0o600 });
  return { value, generated: true };
}
