import type { IncomingMessage } from "node:http";

/** Node's headers behind the `get()` of a web Headers (lowercase names, repeated ones joined). */
export const nodeHeaders = (req: IncomingMessage) => ({
  get(name: string): string | null {
    const value = req.headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  },
});
