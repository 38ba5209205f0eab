// Layout checks run inside the page: what "holds at this width" means, as data a test
// can assert on. Each finding names the element and the numbers, so a failure says where.
import type { Page } from "playwright-core";

/** The widths every page must hold at: a small phone, a common phone, a tablet, a laptop. */
export const WIDTHS = [320, 390, 768, 1280] as const;

/**
 * Everything that breaks the page horizontally at the current viewport:
 * - the document scrolls sideways (scrollWidth > clientWidth);
 * - an element's box leaves the viewport, or sticks out of an ancestor that clips it
 *   (overflow hidden/clip/auto/scroll: the text is cut off or scrolls inside a card);
 * - an element's content is wider than its box while overflow is visible (it spills);
 * - a phrase is squeezed into a narrow column one word per line (a grid or flex track
 *   that collapsed: "Signed / in / just / now").
 * Visually hidden text (.sr-only) is skipped: it is clipped to 1px on purpose.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const root = document.documentElement;
    const vw = root.clientWidth;
    const slack = 1; // sub-pixel rounding
    if (root.scrollWidth > vw + slack) problems.push(`document scrolls sideways: scrollWidth ${root.scrollWidth} > clientWidth ${vw}`);

    const describe = (el: Element): string => {
      const id = el.id ? `#${el.id}` : "";
      const cls = typeof el.className === "string" && el.className ? `.${el.className.trim().split(/\s+/).slice(0, 3).join(".")}` : "";
      const text = (el.textContent ?? "").replace(/\s+/g, " ").trim().slice(0, 50);
      return `<${el.tagName.toLowerCase()}${id}${cls}> "${text}"`;
    };
    const hidden = (el: Element) => el.closest(".sr-only") !== null;
    const rendered = (r: DOMRect) => r.width > 0 || r.height > 0;

    for (const el of Array.from(document.body.querySelectorAll("*"))) {
      const svg = el.closest("svg");
      if (hidden(el) || (svg && svg !== el)) continue; // an icon's inner shapes follow its box
      const r = el.getBoundingClientRect();
      if (!rendered(r)) continue;
      if (r.left < -slack || r.right > vw + slack) {
        problems.push(`${describe(el)} leaves the viewport: x ${Math.round(r.left)}..${Math.round(r.right)} of ${vw}`);
        continue;
      }
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const ox = getComputedStyle(a).overflowX;
        if (ox === "visible") continue;
        const ar = a.getBoundingClientRect();
        if (r.right > ar.right + slack || r.left < ar.left - slack) {
          problems.push(`${describe(el)} is cut off by ${describe(a)} (overflow ${ox}): x ${Math.round(r.left)}..${Math.round(r.right)}, container ${Math.round(ar.left)}..${Math.round(ar.right)}`);
        }
        break;
      }
      const style = getComputedStyle(el);
      if (style.overflowX === "visible" && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + slack && !(el instanceof HTMLHtmlElement)) {
        problems.push(`${describe(el)} content spills: scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth}`);
      }
    }

    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const words = (node.textContent ?? "").trim().split(/\s+/).filter(Boolean);
      const parent = node.parentElement;
      if (words.length < 2 || !parent || hidden(parent)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const rects = Array.from(range.getClientRects()).filter(rendered);
      const lines = new Set(rects.map((rect) => Math.round(rect.top))).size;
      // The box the text flows in: its nearest block-level ancestor (a flex or grid item is one).
      let box: Element = parent;
      while (box.parentElement && /^(inline|contents)/.test(getComputedStyle(box).display)) box = box.parentElement;
      const column = box.getBoundingClientRect().width;
      if (lines >= words.length && column < vw / 4) {
        problems.push(`"${words.join(" ")}" in ${describe(parent)} wraps one word per line in a ${Math.round(column)} px column`);
      }
    }
    return problems;
  });
}
