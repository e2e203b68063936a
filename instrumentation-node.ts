// Server start-up: refuse to start with a bad environment, make sure the first admin exists,
// start the feed engine and the webhook deliverer, and on SIGTERM close the feed's streams
// gracefully so clients move to another instance and resume.
import "@/lib/supported-node";
import { ensureFirstAdmin } from "@/lib/auth/users";
import { env } from "@/lib/env";
import { feedEngine } from "@/lib/events/engine";
import { startDraining } from "@/lib/health";
import { streamLimit } from "@/lib/http/request-limits";
import { log } from "@/lib/log";
import { startWebhookDeliverer, stopWebhookDeliverer } from "@/lib/webhooks/deliverer";

// Next keeps the process alive past an uncaught exception and prints only the error itself;
// said distinctly here, so logs (and tests/database-crash.test.ts) can tell one from a handled
// error. The line carries the request id when the error came from serving one.
const globalForErrors = globalThis as unknown as { stockpulseProcessErrors?: true };
if (!globalForErrors.stockpulseProcessErrors) {
  globalForErrors.stockpulseProcessErrors = true;
  process.on("uncaughtExceptionMonitor", (error, origin) => log.error({ err: error }, origin));
  process.on("unhandledRejection", (reason) => log.error({ err: reason }, "unhandledRejection"));
}

try {
  env();
  const { maxStreams, fileLimit, source } = streamLimit();
  log.info(
    `at most ${maxStreams} feed streams and exports open (${source === "MAX_OPEN_STREAMS" ? "MAX_OPEN_STREAMS" : `open-file limit ${fileLimit} less room for the database, writes and health`})`,
  );
  await ensureFirstAdmin();
} catch (error) {
  log.fatal((error as Error).message);
  process.exit(1);
}

const engine = feedEngine();
startWebhookDeliverer(engine.hub);
// The production server (scripts/server.ts) drains and stops by itself; this is for next start/dev.
const ownSignalHandling = process.env.STOCKPULSE_FEED_TRANSPORT === "node:http";
for (const signal of ownSignalHandling ? [] : (["SIGTERM", "SIGINT"] as const)) {
  process.once(signal, () => {
    startDraining();
    stopWebhookDeliverer();
    engine.hub.shutdown();
    void engine.listener.stop();
  });
}
