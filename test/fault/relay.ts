// A TCP relay between one app instance and Redis (node:net), so a test can cut that one
// instance's link while the others keep theirs: a partial network partition.
//   cut("refuse")     current connections destroyed; new ones refused (ECONNREFUSED): fast errors
//   cut("blackhole")  current connections destroyed; new ones accepted and never answered, so
//                     the client's command timeout is what fails them
//   cut("stall")      current connections kept open but nothing moves either way (bytes wait,
//                     as TCP would buffer them): commands time out, and whatever the client
//                     wrote meanwhile reaches Redis late, at restore
//   restore()         forwarding again; blackholed connections are reset (as a TCP timeout would)
import net from "node:net";

export type CutStyle = "refuse" | "blackhole" | "stall";

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  /** Bytes held while stalled, each way, delivered in order at restore. */
  toUpstream: Buffer[];
  toClient: Buffer[];
}

export class TcpRelay {
  private server: net.Server | null = null;
  private readonly pairs = new Set<Pair>();
  private readonly held = new Set<net.Socket>();
  private state: "open" | CutStyle = "open";

  private constructor(
    readonly port: number,
    private readonly target: () => { host: string; port: number },
  ) {}

  /** A relay on a free loopback port to `target` (a function: the target may move, e.g. after a failover). */
  static async start(target: { host: string; port: number } | (() => { host: string; port: number })): Promise<TcpRelay> {
    const relay = new TcpRelay(0, typeof target === "function" ? target : () => target);
    await relay.listen();
    return relay;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get cutStyle(): CutStyle | null {
    return this.state === "open" ? null : this.state;
  }

  private listen(): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => {
        (this as { port: number }).port = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  private accept(client: net.Socket): void {
    client.on("error", () => {});
    if (this.state === "blackhole") {
      // Accepted, never answered: what the client writes goes nowhere.
      this.held.add(client);
      client.on("data", () => {});
      client.once("close", () => this.held.delete(client));
      return;
    }
    const upstream = net.connect(this.target());
    const pair: Pair = { client, upstream, toUpstream: [], toClient: [] };
    this.pairs.add(pair);
    upstream.on("error", () => {});
    // Forwarded by hand (no pipe()): a stall must hold bytes without pipe's own resume().
    client.on("data", (chunk: Buffer) => (this.state === "stall" ? pair.toUpstream.push(chunk) : upstream.write(chunk)));
    upstream.on("data", (chunk: Buffer) => (this.state === "stall" ? pair.toClient.push(chunk) : client.write(chunk)));
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.once("close", end);
    upstream.once("close", end);
  }

  /** Cuts this link in one of three styles (see the top of the file). */
  async cut(style: CutStyle): Promise<void> {
    if (this.state !== "open") await this.restore();
    this.state = style;
    if (style === "stall") return;
    this.destroyAll();
    if (style === "refuse") await this.closeServer();
  }

  async restore(): Promise<void> {
    const was = this.state;
    this.state = "open";
    if (was === "refuse") await this.listen();
    if (was === "blackhole") for (const s of this.held) s.destroy();
    if (was === "stall") {
      for (const pair of this.pairs) {
        for (const chunk of pair.toUpstream.splice(0)) pair.upstream.write(chunk);
        for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
      }
    }
  }

  /** Every relayed connection reset (e.g. Redis itself moved). */
  destroyAll(): void {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
    for (const s of this.held) s.destroy();
    this.held.clear();
  }

  private closeServer(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  async stop(): Promise<void> {
    this.destroyAll();
    await this.closeServer();
  }
}
