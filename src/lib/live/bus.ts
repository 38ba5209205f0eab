// Fan-out of session events to every app instance: publish(userId, event) and a
// per-instance subscription multiplexed over all open streams of this process.
//  - Redis: ONE subscriber connection per instance (a duplicate of the app client),
//    one channel per user, subscribed while at least one stream of that user is open.
//    Sharded pub/sub (SSUBSCRIBE/SPUBLISH) on a cluster, the channel carrying the
//    user's {tag} so it lives in the same slot as the user's index keys.
//  - No Redis (development): an in-process EventEmitter behind the same interface.
// Delivery is best effort: a missed message is caught by the stream's heartbeat
// re-check and, at the latest, by the proxy on the tab's next request.
import { EventEmitter } from "node:events";
import { env } from "@/lib/env";
import { getRedisClient, type RedisClient } from "@/lib/redis/client";
import { userTag } from "@/lib/session-index";
import type { LiveEvent } from "./events";

export type LiveListener = (event: LiveEvent) => void;

export interface LiveBus {
  publish(userId: string, event: LiveEvent): Promise<void>;
  /** Ref-counted: the channel is subscribed on the first listener, dropped after the last. */
  subscribe(userId: string, listener: LiveListener): () => void;
  /** Resolves once every subscribe/unsubscribe sent so far has been acknowledged. */
  settled(): Promise<void>;
  /** Runs `fn` whenever the subscription comes back after a drop (messages may have been missed). */
  onResubscribed(fn: () => void): void;
  close(): Promise<void>;
}

/** Listener sets per channel, shared by both implementations. */
class Listeners {
  private readonly byChannel = new Map<string, Set<LiveListener>>();
  /** Returns true when this is the channel's first listener. */
  add(channel: string, l: LiveListener): boolean {
    let set = this.byChannel.get(channel);
    const first = !set;
    if (!set) this.byChannel.set(channel, (set = new Set()));
    set.add(l);
    return first;
  }
  /** Returns true when the channel has no listener left. */
  remove(channel: string, l: LiveListener): boolean {
    const set = this.byChannel.get(channel);
    if (!set?.delete(l)) return false;
    if (set.size > 0) return false;
    this.byChannel.delete(channel);
    return true;
  }
  has(channel: string): boolean {
    return this.byChannel.has(channel);
  }
  deliver(channel: string, raw: string): void {
    const set = this.byChannel.get(channel);
    if (!set) return;
    let event: LiveEvent;
    try {
      event = JSON.parse(raw) as LiveEvent;
    } catch {
      return;
    }
    for (const l of [...set]) {
      try {
        l(event);
      } catch (err) {
        console.warn(`[live] listener failed: ${(err as Error).message}`);
      }
    }
  }
  get size(): number {
    return this.byChannel.size;
  }
}

export class MemoryLiveBus implements LiveBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly listeners = new Listeners();
  async publish(userId: string, event: LiveEvent): Promise<void> {
    // Serialised like the Redis path, so no listener shares an object with another.
    this.emitter.emit("message", userId, JSON.stringify(event));
  }
  constructor() {
    this.emitter.on("message", (userId: string, raw: string) => this.listeners.deliver(userId, raw));
  }
  subscribe(userId: string, listener: LiveListener): () => void {
    this.listeners.add(userId, listener);
    return () => void this.listeners.remove(userId, listener);
  }
  async settled(): Promise<void> {}
  onResubscribed(): void {
    // In-process: nothing between publisher and subscriber can drop.
  }
  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

const isCluster = (c: RedisClient): boolean => (c as { isCluster?: boolean }).isCluster === true;

export class RedisLiveBus implements LiveBus {
  private readonly subscriber: RedisClient;
  private readonly sharded: boolean;
  private readonly listeners = new Listeners();
  /** The last subscribe/unsubscribe sent, so settled() can wait for it (commands are ordered). */
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly publisher: RedisClient,
    private readonly prefix = "",
  ) {
    this.sharded = isCluster(publisher);
    // The cluster subscriber needs ioredis's per-shard subscriber group for SSUBSCRIBE.
    this.subscriber = this.sharded
      ? (publisher as unknown as { duplicate(n?: unknown, o?: object): RedisClient }).duplicate(undefined, { shardedSubscribers: true })
      : (publisher as unknown as { duplicate(): RedisClient }).duplicate();
    const onMessage = (channel: string, raw: string) => this.listeners.deliver(channel, raw);
    this.subscriber.on(this.sharded ? "smessage" : "message", onMessage);
    this.subscriber.on("error", () => {}); // logged by the app client's handler; a subscriber reconnects by itself
    // ioredis re-subscribes every channel on reconnect; whatever was published in between
    // is lost, so the streams are told to re-check now rather than at their next heartbeat.
    let connectedBefore = false;
    this.subscriber.on("ready", () => {
      if (connectedBefore) for (const fn of this.resubscribed) fn();
      connectedBefore = true;
    });
  }

  private readonly resubscribed: (() => void)[] = [];
  onResubscribed(fn: () => void): void {
    this.resubscribed.push(fn);
  }

  /** Drops the subscriber connection and lets it reconnect (tests: a Redis restart as seen from here). */
  reconnect(): void {
    this.subscriber.disconnect(true);
  }

  /** The user's channel; its {tag} puts it in the user's slot on a cluster. */
  channelOf(userId: string): string {
    return `${this.prefix}:live:{${userTag(userId)}}`;
  }

  async publish(userId: string, event: LiveEvent): Promise<void> {
    const channel = this.channelOf(userId);
    const raw = JSON.stringify(event);
    if (this.sharded) await (this.publisher as unknown as { spublish(c: string, m: string): Promise<number> }).spublish(channel, raw);
    else await this.publisher.publish(channel, raw);
  }

  subscribe(userId: string, listener: LiveListener): () => void {
    const channel = this.channelOf(userId);
    if (this.listeners.add(channel, listener)) this.send("subscribe", channel);
    return () => {
      if (this.listeners.remove(channel, listener)) this.send("unsubscribe", channel);
    };
  }

  private send(op: "subscribe" | "unsubscribe", channel: string): void {
    const sub = this.subscriber as unknown as Record<string, (c: string) => Promise<unknown>>;
    const command = this.sharded ? `s${op}` : op;
    this.pending = sub[command]!.call(this.subscriber, channel).catch((err: unknown) => {
      // ioredis re-subscribes on reconnect; until then the heartbeat re-check covers the gap.
      console.warn(`[live] ${command} failed: ${(err as Error).message}`);
    });
  }

  async settled(): Promise<void> {
    await this.pending;
  }

  /** Channels this instance is subscribed to (for tests and the bench). */
  get channelCount(): number {
    return this.listeners.size;
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
  }
}

const globalForBus = globalThis as unknown as { __revocableLiveBus?: LiveBus };

/** This process's bus: Redis when configured, else in-process. */
export function getLiveBus(): LiveBus {
  if (!globalForBus.__revocableLiveBus) {
    const client = getRedisClient();
    globalForBus.__revocableLiveBus = client ? new RedisLiveBus(client, env().REDIS_KEY_PREFIX) : new MemoryLiveBus();
  }
  return globalForBus.__revocableLiveBus;
}

/** Tests swap in a bus bound to their own Redis connection. */
export function setLiveBusForTests(bus: LiveBus | undefined): void {
  globalForBus.__revocableLiveBus = bus;
}

/** Fire and forget: never blocks or breaks what triggered it. */
export function publishLive(userId: string, events: LiveEvent[]): void {
  let bus: LiveBus;
  try {
    bus = getLiveBus();
  } catch (err) {
    console.warn(`[live] no bus: ${(err as Error).message}`);
    return;
  }
  for (const e of events) {
    bus.publish(userId, e).catch((err: unknown) => console.warn(`[live] publish ${e.type} for user ${userId} failed: ${(err as Error).message}`));
  }
}
