// The dependency direction of the server core, checked on the source itself:
//   app routes -> lib/auth -> lib/sessions -> lib/session-index -> lib/redis
// and no import cycle anywhere in src/ (type-only imports included: a cycle of types is
// still two modules that cannot be understood one without the other).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SRC = path.join(ROOT, "src");

interface Edge {
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [full] : [];
  });
}

function resolveSpecifier(from: string, spec: string): string | null {
  let base: string;
  if (spec.startsWith("@/")) base = path.join(SRC, spec.slice(2));
  else if (spec.startsWith(".")) base = path.resolve(path.dirname(from), spec);
  else return null; // a package
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts"), path.join(base, "index.tsx")]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // next candidate
    }
  }
  throw new Error(`${path.relative(ROOT, from)}: cannot resolve "${spec}"`);
}

const IMPORT = /(?:^|[\s;])(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** Imports of one file: static, re-exports, side-effect and dynamic import(). */
function importsOf(file: string, text = readFileSync(file, "utf8")): (Edge & { spec: string })[] {
  const out: (Edge & { spec: string })[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4]!;
    const to = resolveSpecifier(file, spec);
    out.push({ spec, to: to ?? spec, typeOnly: !!m[2] });
  }
  return out;
}

/** Every cycle's members (strongly connected components with more than one node, or a self-loop). */
function cyclesIn(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const files = sourceFiles(SRC);
const rel = (f: string) => path.relative(SRC, f).split(path.sep).join("/");
const edges = new Map(files.map((f) => [rel(f), importsOf(f)]));
const localGraph = new Map([...edges].map(([f, es]) => [f, es.filter((e) => path.isAbsolute(e.to)).map((e) => rel(e.to))]));

function importersOf(layer: string, forbidden: string[]): string[] {
  const found: string[] = [];
  for (const [file, targets] of localGraph) {
    if (!file.startsWith(layer)) continue;
    for (const t of targets) if (forbidden.some((f) => t.startsWith(f))) found.push(`${file} -> ${t}`);
  }
  return found;
}

describe("module graph of src/", () => {
  it("the cycle finder finds cycles (so the checks below can fail)", () => {
    expect(cyclesIn(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]))).toEqual([["a", "b", "c"]]);
    expect(cyclesIn(new Map([["a", ["a"]]]))).toEqual([["a"]]);
    expect(cyclesIn(new Map([["a", ["b"]], ["b", []]]))).toEqual([]);
    const dyn = importsOf(path.join(SRC, "lib/auth/emails.ts"), 'const { getAuth } = await import("./index");\nimport type { X } from "@/lib/device";');
    expect(dyn.map((e) => [rel(e.to), e.typeOnly])).toEqual([
      ["lib/auth/index.ts", false],
      ["lib/device.ts", true],
    ]);
  });

  it("reads the real graph (the known edges are there)", () => {
    expect(files.length).toBeGreaterThan(40);
    expect(localGraph.get("lib/auth/index.ts")).toContain("lib/sessions/cookie.ts");
    expect(localGraph.get("lib/sessions/validate.ts")).toContain("lib/session-index/index.ts");
    expect(localGraph.get("lib/session-index/index.ts")).toContain("lib/redis/client.ts");
  });

  it("has no import cycle", () => {
    expect(cyclesIn(localGraph)).toEqual([]);
  });

  it("depends one way: app -> lib/auth -> lib/sessions -> lib/session-index -> lib/redis", () => {
    expect(importersOf("lib/", ["app/"])).toEqual([]);
    expect(importersOf("lib/sessions/", ["lib/auth/", "lib/auth-client", "proxy-gate", "lib/proxy-gate"])).toEqual([]);
    expect(importersOf("lib/session-index/", ["lib/sessions/", "lib/auth/"])).toEqual([]);
    expect(importersOf("lib/redis/", ["lib/session-index/", "lib/sessions/", "lib/auth/"])).toEqual([]);
    expect(importersOf("lib/mail/", ["lib/auth/", "lib/sessions/"])).toEqual([]);
    // The security history is written from every layer (lib/sessions/ended.ts included):
    // its writer and reader depend on none of them.
    expect(importersOf("lib/security/events", ["lib/auth/", "lib/sessions/", "lib/security/report"])).toEqual([]);
    expect(importersOf("lib/security/activity", ["lib/auth/", "lib/sessions/"])).toEqual([]);
  });

  it("keeps the location database off the request path: the proxy never reaches lib/location.ts or maxmind", () => {
    const reached = new Set<string>();
    const walk = (f: string) => {
      if (reached.has(f)) return;
      reached.add(f);
      for (const e of edges.get(f) ?? []) if (!e.typeOnly && path.isAbsolute(e.to)) walk(rel(e.to));
    };
    walk("proxy.ts");
    expect(reached.size).toBeGreaterThan(5);
    expect([...reached].filter((f) => f === "lib/location.ts" || f === "lib/auth/sign-in-context-plugin.ts")).toEqual([]);
    const maxmindUsers = [...edges].filter(([, es]) => es.some((e) => e.spec === "maxmind" && !e.typeOnly)).map(([f]) => f);
    expect(maxmindUsers).toEqual(["lib/location.ts"]);
    expect(maxmindUsers.some((f) => reached.has(f))).toBe(false);
  });

  it("creates Redis clients in one module: only lib/redis/client.ts imports ioredis at run time", () => {
    const runtime = [...edges].filter(([, es]) => es.some((e) => e.spec === "ioredis" && !e.typeOnly)).map(([f]) => f);
    expect(runtime).toEqual(["lib/redis/client.ts"]);
  });
});
