// Reads a Server-Sent Events response as a queue of events, for tests and the bench.
// Comment lines (heartbeats) are counted, not queued; the end of the body is an event
// of its own ("closed") so "the stream closed" can be asserted like any other event.

export interface SseEvent {
  event: string;
  data: unknown;
  at: number;
}

export class SseReader {
  private readonly queue: SseEvent[] = [];
  private waiters: ((e: SseEvent) => void)[] = [];
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  comments = 0;
  closed = false;

  constructor(response: Response) {
    if (!response.body) throw new Error("response has no body");
    this.reader = response.body.getReader();
    void this.pump();
  }

  private push(e: SseEvent): void {
    const w = this.waiters.shift();
    if (w) w(e);
    else this.queue.push(e);
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { done, value } = await this.reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = "message";
          let data: string | null = null;
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) this.comments++;
            else if (line.startsWith("event: ")) event = line.slice(7);
            else if (line.startsWith("data: ")) data = line.slice(6);
          }
          if (data !== null) this.push({ event, data: JSON.parse(data), at: performance.now() });
        }
      }
    } catch {
      // cancelled or errored: reported as closed
    }
    this.closed = true;
    this.push({ event: "closed", data: null, at: performance.now() });
  }

  /** The next event, or a rejection after timeoutMs. */
  next(timeoutMs = 2_000): Promise<SseEvent> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no event within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (e: SseEvent) => {
        clearTimeout(timer);
        resolve(e);
      };
      this.waiters.push(waiter);
    });
  }

  /** The next event whose name is `event`, skipping (and returning) the others. */
  async until(event: string, timeoutMs = 2_000): Promise<{ found: SseEvent; skipped: SseEvent[] }> {
    const skipped: SseEvent[] = [];
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const e = await this.next(Math.max(1, deadline - performance.now()));
      if (e.event === event) return { found: e, skipped };
      if (e.event === "closed") throw new Error(`stream closed before ${event} (saw ${skipped.map((s) => s.event).join(",")})`);
      skipped.push(e);
    }
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => {});
  }
}
