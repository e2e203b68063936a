import { metricsRegistry } from "@/lib/metrics";

// GET /api/metrics - Prometheus text format
export async function GET() {
  const registry = metricsRegistry();
  return new Response(await registry.metrics(), { headers: { "Content-Type": registry.contentType } });
}
