import { metricsRegistry } from "@/lib/metrics";

export const dynamic = "force-dynamic";

// GET /api/metrics - Prometheus text format
export async function GET() {
  const registry = metricsRegistry();
  return new Response(await registry.metrics(), { headers: { "Content-Type": registry.contentType } });
}
