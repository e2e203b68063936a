import { bearerToken, isSecret } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { ApiError, withErrors } from "@/lib/errors";
import { metricsRegistry } from "@/lib/metrics";

// GET /api/metrics - Prometheus text format, for the holder of METRICS_TOKEN (off without one)
export const GET = withErrors(async (request: Request) => {
  const secret = env().METRICS_TOKEN;
  if (!secret) throw new ApiError(404, "NOT_FOUND", "No API endpoint at /api/metrics");
  const given = bearerToken(request);
  if (given === null || !isSecret(given, secret)) {
    throw new ApiError(401, "UNAUTHENTICATED", "Send Authorization: Bearer <METRICS_TOKEN>");
  }
  const registry = metricsRegistry();
  return new Response(await registry.metrics(), { headers: { "Content-Type": registry.contentType } });
});
