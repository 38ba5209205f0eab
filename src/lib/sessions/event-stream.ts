// Server side of GET /api/sessions/events: one Server-Sent Events stream per open tab.
//  - Subscribes to the user's channel on the live bus (ref-counted there) and forwards
//    `session.ended` for this stream's own session (then closes) and `sessions.changed`.
//  - Heartbeat every 20 s: a comment line (keeps idle proxies from closing the stream)
//    and the same per-request check the proxy runs (minus the last-active bump: an open
//    tab is not activity); a session that ended without a publish reaching us (Redis
//    down, a missed message) or went idle is caught here.
//  - Bounded: at most MAX_STREAMS_PER_SESSION per session (the oldest is told
//    `stream.replaced` and closed), at most EVENT_STREAMS_MAX_PER_USER per user and
//    EVENT_STREAMS_MAX_PER_INSTANCE in all on this instance (past either a new stream is
//    refused with 429: the per-user cap keeps one account from taking everyone's places),
//    and a stream whose reader stops reading is dropped once MAX_BUFFERED_BYTES are queued
//    instead of buffering without limit.
import { env } from "@/lib/env";
import { API_ERROR } from "@/lib/http/error-codes";
import { ApiError } from "@/lib/http/errors";
import { getLiveBus, type LiveBus } from "@/lib/live/bus";
import type { LiveEvent } from "@/lib/live/events";
import { eventStreamClosed, eventStreamOpened, type SessionEndReason } from "@/lib/metrics";
import type { ValidityEntry } from "@/lib/session-index";
import { scheduleRepairs } from "./repairs";
import { checkSessionCookie } from "./validate";

export const HEARTBEAT_MS = 20_000;
export const MAX_STREAMS_PER_SESSION = 5;
export const MAX_BUFFERED_BYTES = 32 * 1024;
/** Tells EventSource how long to wait before reconnecting after a drop. */
const RETRY_MS = 2_000;
/** Retry-After of a refusal past a cap: the tab backs off (1-30 s) and asks again. */
const CAP_RETRY_AFTER_S = 30;

interface OpenStream {
  readonly sessionId: string;
  readonly userId: string;
  /** The cookie the stream was opened with, for the heartbeat re-check. */
  readonly cookie: string;
  controller: ReadableStreamDefaultController<Uint8Array> | null;
  unsubscribe: () => void;
  timer: ReturnType<typeof setInterval> | null;
  closed: boolean;
}

interface Registry {
  bySession: Map<string, OpenStream[]>;
  /** Open streams per user, for the per-user cap. */
  byUser: Map<string, number>;
  all: Set<OpenStream>;
}
// On globalThis, like the bus: Next's bundles in one process share the open streams.
const g = globalThis as unknown as { __revocableStreams?: Registry };
const registry: Registry = (g.__revocableStreams ??= { bySession: new Map(), byUser: new Map(), all: new Set() });

const encoder = new TextEncoder();

function write(s: OpenStream, text: string): void {
  if (s.closed || !s.controller) return;
  // desiredSize <= 0: the reader is MAX_BUFFERED_BYTES behind. Drop it; EventSource
  // reconnects, and the heartbeat and the proxy cover whatever it missed.
  if ((s.controller.desiredSize ?? 0) <= 0) {
    drop(s, new Error("event stream reader too slow"));
    return;
  }
  s.controller.enqueue(encoder.encode(text));
}

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

function release(s: OpenStream): boolean {
  if (s.closed) return false;
  s.closed = true;
  if (s.timer) clearInterval(s.timer);
  s.unsubscribe();
  registry.all.delete(s);
  const perUser = (registry.byUser.get(s.userId) ?? 1) - 1;
  if (perUser > 0) registry.byUser.set(s.userId, perUser);
  else registry.byUser.delete(s.userId);
  const list = registry.bySession.get(s.sessionId);
  if (list) {
    const i = list.indexOf(s);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) registry.bySession.delete(s.sessionId);
  }
  eventStreamClosed();
  return true;
}

function close(s: OpenStream): void {
  const c = s.controller;
  if (!release(s)) return;
  try {
    c?.close();
  } catch {
    // already closed by the consumer
  }
}

function drop(s: OpenStream, err: Error): void {
  const c = s.controller;
  if (!release(s)) return;
  try {
    c?.error(err);
  } catch {
    // already closed
  }
}

function ended(s: OpenStream, reason: SessionEndReason, reissued?: true): void {
  write(s, frame("session.ended", reissued ? { reason, reissued } : { reason }));
  close(s);
}

function onEvent(s: OpenStream, event: LiveEvent): void {
  if (event.type === "session.ended") {
    // Another session of the same user ending is news for the list, sent as sessions.changed.
    if (event.sessionId === s.sessionId) ended(s, event.reason, event.reissued);
  } else if (event.type === "sessions.recheck") {
    void heartbeat(s, Date.now(), event.reason);
  } else if (event.type === "sessions.changed") {
    write(s, frame("sessions.changed", {}));
  }
}

const REASON_OF_CHECK: Record<string, SessionEndReason> = { idle: "idle", expired: "expired" };

/** `revokedAs`: the reason to report when the check finds the session revoked (a recheck's). */
async function heartbeat(s: OpenStream, now = Date.now(), revokedAs?: SessionEndReason): Promise<void> {
  if (s.closed) return;
  write(s, ": heartbeat\n\n");
  let check;
  try {
    check = await checkSessionCookie(s.cookie, now);
    // The check's repairs, except the last-active bump: an open tab is not activity, or
    // a tab left open would keep its session from ever reaching the idle timeout.
    scheduleRepairs(check.repairs.filter((r) => r.kind !== "touch"));
  } catch (err) {
    // No verdict (both stores unreachable): keep the stream; the proxy decides next request.
    console.warn(`[live] heartbeat check of session ${s.sessionId} failed: ${(err as Error).message}`);
    return;
  }
  if (!check.ok || check.session.sessionId !== s.sessionId) {
    ended(s, REASON_OF_CHECK[check.ok ? "" : check.reason] ?? (!check.ok && check.reason === "revoked" ? revokedAs : undefined) ?? "other");
  }
}

const watchedBuses = new WeakSet<LiveBus>();
/** After a dropped subscription (Redis restarted), every stream re-checks at once. */
function watchResubscriptions(bus: LiveBus): void {
  if (watchedBuses.has(bus)) return;
  watchedBuses.add(bus);
  bus.onResubscribed(() => void heartbeatAllStreams());
}

/**
 * Refuses a new stream past the per-user or the per-instance cap. A session already at its
 * own cap is let through: its oldest stream is replaced, so no count grows.
 */
function checkCaps(session: ValidityEntry): void {
  if ((registry.bySession.get(session.sessionId)?.length ?? 0) >= MAX_STREAMS_PER_SESSION) return;
  const e = env();
  const retry = { "Retry-After": String(CAP_RETRY_AFTER_S) };
  if ((registry.byUser.get(session.userId) ?? 0) >= e.EVENT_STREAMS_MAX_PER_USER) {
    throw new ApiError(429, API_ERROR.tooManyStreams, "Too many open tabs are following this account. Close some, or try again later.", retry);
  }
  if (registry.all.size >= e.EVENT_STREAMS_MAX_PER_INSTANCE) {
    throw new ApiError(429, API_ERROR.tooManyStreams, "This server holds as many live streams as it can. Try again later.", retry);
  }
}

/** The SSE response for a session the caller has already checked (429 ApiError past a cap). */
export function openSessionStream(session: ValidityEntry, cookie: string, signal?: AbortSignal): Response {
  checkCaps(session);
  const s: OpenStream = {
    sessionId: session.sessionId,
    userId: session.userId,
    cookie,
    controller: null,
    unsubscribe: () => {},
    timer: null,
    closed: false,
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        s.controller = controller;
      },
      cancel() {
        release(s);
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: MAX_BUFFERED_BYTES }),
  );
  registry.all.add(s);
  registry.byUser.set(s.userId, (registry.byUser.get(s.userId) ?? 0) + 1);
  eventStreamOpened();
  const list = registry.bySession.get(s.sessionId) ?? [];
  registry.bySession.set(s.sessionId, list);
  list.push(s);
  while (list.length > MAX_STREAMS_PER_SESSION) {
    const oldest = list[0]!;
    // Told why, so that tab does not reconnect and push out another one in turn.
    write(oldest, frame("stream.replaced", {}));
    close(oldest);
  }
  const bus = getLiveBus();
  watchResubscriptions(bus);
  s.unsubscribe = bus.subscribe(s.userId, (event) => onEvent(s, event));
  s.timer = setInterval(() => void heartbeat(s), HEARTBEAT_MS);
  s.timer.unref?.();
  signal?.addEventListener("abort", () => release(s), { once: true });
  write(s, `retry: ${RETRY_MS}\n: open\n\n`);
  return new Response(body, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store, no-transform",
      // nginx and similar proxies buffer responses unless told not to.
      "X-Accel-Buffering": "no",
    },
  });
}

/** Runs every open stream's heartbeat now (tests: no waiting 20 s; `now` to age the check). */
export async function heartbeatAllStreams(now = Date.now()): Promise<void> {
  await Promise.all([...registry.all].map((s) => heartbeat(s, now)));
}

export function openStreamCount(): number {
  return registry.all.size;
}

/** Closes every stream of this instance (tests, shutdown). */
export function closeAllStreams(): void {
  for (const s of [...registry.all]) close(s);
}
