// Plain-text tables for the terminal (the JSON in bench/results/ has every raw figure).

export function table(headers: string[], rows: (string | number)[][], alignLeft = 1): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? "").length)));
  const line = (r: string[]) =>
    r.map((v, c) => (c < alignLeft ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

export const fmt = {
  int: (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "-"),
  ms: (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "-"),
  signedMs: (n: number, digits = 2) => (Number.isFinite(n) ? `${n >= 0 ? "+" : ""}${n.toFixed(digits)}` : "-"),
  ratio: (n: number) => (Number.isFinite(n) ? `${(n * 100).toFixed(0)}%` : "-"),
  num: (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-"),
};

export function verdict(ok: boolean): string {
  return ok ? "MET " : "MISSED";
}
