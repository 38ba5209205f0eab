// Background work: once per key while in flight, free again once flushed; after-the-answer
// work starts later than the caller's own next step; a failure is logged, never thrown.
import { describe, expect, it, vi } from "vitest";
import { flushBackground, runInBackground, runOnceInBackground } from "@/lib/background";

describe("background work", () => {
  it("runs a keyed task once while it is in flight, and again once flushed", async () => {
    let runs = 0;
    const task = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 5));
    };
    runOnceInBackground("k", task);
    runOnceInBackground("k", task);
    await flushBackground();
    expect(runs).toBe(1);
    runOnceInBackground("k", task);
    await flushBackground();
    expect(runs).toBe(2);
  });

  it("starts after-the-answer work only after the caller's synchronous step, and flush waits for it", async () => {
    const order: string[] = [];
    runInBackground("late", async () => void order.push("task"));
    runOnceInBackground("late-keyed", async () => void order.push("keyed"), "after-answer");
    order.push("caller");
    await flushBackground();
    expect(order).toEqual(["caller", "task", "keyed"]);
  });

  it("logs a failure instead of throwing it", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    runInBackground("failing", async () => {
      throw new Error("boom");
    });
    await flushBackground();
    expect(error).toHaveBeenCalledWith(expect.stringContaining("failing failed: boom"));
    error.mockRestore();
  });
});
