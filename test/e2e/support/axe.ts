// axe-core on a live page (@axe-core/playwright works with playwright-core pages). The
// tests fail on serious and critical violations; minor and moderate ones are reported.
import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "playwright-core";

export interface Finding {
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

/** axe's violations on the page as it is now, with WCAG 2.2 A/AA and best-practice rules. */
export async function axeFindings(page: Page): Promise<Finding[]> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]).analyze();
  return results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact ?? "unknown",
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}

export const isBlocking = (f: Finding) => f.impact === "serious" || f.impact === "critical";
