// Where the real services are, and a fast, clear failure when one is not there.
import net from "node:net";

export const PG_ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const REDIS_BASE_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

const HOW_TO_START: Record<string, string> = {
  PostgreSQL: "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
  Redis:
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
};

export async function assertReachable(name: "PostgreSQL" | "Redis", url: string): Promise<void> {
  const u = new URL(url);
  const port = Number(u.port || (name === "Redis" ? 6379 : 5432));
  const host = u.hostname || "127.0.0.1";
  const ok = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host, port, timeout: 2_000 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(false));
  });
  if (!ok) {
    throw new Error(
      `${name} is not reachable at ${host}:${port}. The tests need a real ${name}.\n` +
        `Start it with:\n  ${HOW_TO_START[name]}\nor point the tests elsewhere with ${name === "Redis" ? "TEST_REDIS_URL" : "TEST_DATABASE_ADMIN_URL"}.`,
    );
  }
}
