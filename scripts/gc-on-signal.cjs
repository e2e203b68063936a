// Preloaded into test servers (with --expose-gc): SIGUSR2 runs a full garbage collection, so a
// heap measurement shows what is retained, not garbage that has not been collected yet.
process.on("SIGUSR2", () => globalThis.gc?.());
