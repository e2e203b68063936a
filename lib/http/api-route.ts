// Every API route handler: the request-rate limit first, then the handler, errors in the
// documented shape. The node:http transports take the same steps themselves.
import { withErrors } from "@/lib/errors";
import { admitRequest } from "@/lib/http/request-limits";

export function apiRoute<Rest extends unknown[]>(handler: (request: Request, ...rest: Rest) => Promise<Response>) {
  return withErrors(async (request: Request, ...rest: Rest) => {
    await admitRequest(request.headers);
    return handler(request, ...rest);
  });
}
