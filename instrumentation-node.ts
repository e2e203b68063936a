// Server start-up: refuse to start with a bad environment, make sure the first admin exists,
// start the feed engine, and on SIGTERM close the feed's streams gracefully so clients move to
// another instance and resume.
import "@/lib/supported-node";
import { ensureFirstAdmin } from "@/lib/auth/users";
import { env } from "@/lib/env";
import { feedEngine } from "@/lib/events/engine";

try {
  env();
  await ensureFirstAdmin();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const engine = feedEngine();
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    engine.hub.shutdown();
    void engine.listener.stop();
  });
}
