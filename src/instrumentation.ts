// Start-up hook: the Node.js work lives in instrumentation-node.ts (not bundled for Edge).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") await (await import("./instrumentation-node")).startup();
}
