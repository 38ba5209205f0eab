import { MemorySessionIndex } from "@/lib/session-index/memory";
import { runSessionIndexContract } from "./session-index.contract";

runSessionIndexContract("in-process", async () => ({ index: new MemorySessionIndex(), close: async () => {} }));
