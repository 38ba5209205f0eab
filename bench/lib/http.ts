// A plain HTTP/1.1 client over one kept-alive connection (node:http), for figures that time a
// single request end to end: fetch (undici) adds ~2 ms of its own per request on a 2-core
// machine (measured against this client on the same route), which is the client's cost,
// not the server's.
import http from "node:http";

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

export interface PlainResponse {
  status: number;
  body: string;
}

export function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? "GET", headers: init.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(init.body);
  });
}
