import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // e2e and bench builds use their own folder so they never replace files a running
  // server (or another build) is using.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Server-only packages loaded from node_modules at runtime rather than bundled.
  serverExternalPackages: ["@electric-sql/pglite", "ioredis", "pg", "maxmind"],
  poweredByHeader: false,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;
