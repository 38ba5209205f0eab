// The app's HTTP server (`npm start`, and `npm run dev` so development behaves the same):
// Next's own request handler behind a few lines that work out the client's address.
//
// Why not plain `next start`: route handlers and Next's proxy never see the TCP peer, and
// `next start` only fills X-Forwarded-For with it when the client sent none, so a client
// could name any address it liked (for session rows, emails and every per-IP rate limit).
// Here the address comes from the socket (or, with TRUST_PROXY=N, from the entry N proxies
// back in X-Forwarded-For), is signed and handed to Next on one header
// (src/lib/client-address.ts); a copy of that header sent by a client is removed first.
//
//   tsx server.ts [--dev]      (`npm start` / `npm run dev`)
//   PORT                       port to listen on (default 3000), on all interfaces
import http from "node:http";
import nextEnv from "@next/env";
import next from "next";
import { stampClientAddress } from "@/lib/client-address";
import { env } from "@/lib/env";

const dev = process.argv.includes("--dev");
// As `next dev` / `next start` do, then the .env files for that mode (env() reads them on first use).
(process.env as Record<string, string>).NODE_ENV = dev ? "development" : "production";
nextEnv.loadEnvConfig(import.meta.dirname, dev);

const config = env();
const server = http.createServer();
const app = next({ dev, dir: import.meta.dirname, port: config.PORT, httpServer: server });
await app.prepare();
const handle = app.getRequestHandler();

server.on("request", (req, res) => {
  stampClientAddress(req, config.TRUST_PROXY);
  void handle(req, res);
});

server.listen(config.PORT, () => {
  const trust = config.TRUST_PROXY;
  const from = trust.kind === "none" ? "the TCP peer" : trust.kind === "hops" ? `X-Forwarded-For, ${trust.hops} trusted proxy hop(s)` : trust.name;
  console.info(`> Ready on http://localhost:${config.PORT} (${dev ? "development" : "production"}; client address from ${from})`);
});

async function shutdown() {
  server.close();
  await app.close().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown());
process.on("SIGINT", () => void shutdown());
