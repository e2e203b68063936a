// `npm start` and `npm run dev` log as the server they start does (lib/log.ts: JSON lines in
// production, readable ones in development), so their lines and the server's are one stream.
// Imported before anything that loads the logger, which reads NODE_ENV once.
const environment = process.env as Record<string, string | undefined>; // Next types NODE_ENV read-only
environment.NODE_ENV ??= process.argv.includes("--dev") ? "development" : "production";

export {};
