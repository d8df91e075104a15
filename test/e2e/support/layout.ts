// Layout checks of a page as the browser drew it: words broken mid-word, tables wider than their box, actions out of
// view. Page code as text: the tests' tsconfig has no DOM types.
import type { Page } from 'playwright-core';

/**
 * Words (runs of non-space characters in one text node) drawn on more than one line: a Range over each word and
 * its client rects, which are one per line box the word occupies. A word cut off by an ellipsis is one line, so it
 * passes (its cell says the whole on hover); "Subscriptio|n", "VALIDATION_FAILE|D", a run id split at a hyphen fail.
 * Only visible text counts: hidden elements have no rects.
 */
export async function wordsBrokenAcrossLines(page: Page): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const broken = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      if (!text || !text.trim()) continue;
      const parent = node.parentElement;
      if (!parent || parent.closest('script, style, svg, canvas, [aria-hidden="true"]')) continue;
      for (const match of text.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
        const lines = new Set(rects.map((r) => Math.round(r.top)));
        // Rects of one line can differ by a pixel or two (inline boxes); a new line is at least half a line lower.
        const tops = [...lines].sort((a, b) => a - b);
        const minHeight = Math.min(...rects.map((r) => r.height));
        if (tops.length > 1 && tops[tops.length - 1] - tops[0] >= minHeight / 2) {
          broken.push(match[0] + ' in <' + parent.tagName.toLowerCase() + (parent.className ? '.' + String(parent.className).split(' ').join('.') : '') + '>');
        }
      }
    }
    return broken;
  })()`)) as string[];
}

/** Tables (and their scrolling boxes) wider than the box they sit in, and a page wider than the window. */
export async function overflowingTables(page: Page): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const wide = [];
    if (document.documentElement.scrollWidth > window.innerWidth + 1) wide.push('the page: ' + document.documentElement.scrollWidth + ' px');
    for (const table of document.querySelectorAll('table')) {
      if (!table.getClientRects().length) continue;
      let box = table.parentElement;
      while (box && getComputedStyle(box).overflowX === 'visible' && box !== document.body) box = box.parentElement;
      const boxWidth = box ? box.clientWidth : window.innerWidth;
      const label = table.getAttribute('aria-label') || table.querySelector('caption')?.textContent || table.className;
      if (table.getBoundingClientRect().width > boxWidth + 1) wide.push(label + ': ' + Math.round(table.getBoundingClientRect().width) + ' px in ' + boxWidth + ' px');
    }
    return wide;
  })()`)) as string[];
}

/** Buttons inside table rows that are not fully within the window and their table's visible box. */
export async function actionsOutOfView(page: Page): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const out = [];
    for (const button of document.querySelectorAll('tbody button, tbody a')) {
      const rect = button.getBoundingClientRect();
      if (!rect.width) continue;
      let box = button.closest('table').parentElement;
      while (box && getComputedStyle(box).overflowX === 'visible' && box !== document.body) box = box.parentElement;
      const right = Math.min(window.innerWidth, box ? box.getBoundingClientRect().right : window.innerWidth);
      if (rect.right > right + 1) out.push((button.getAttribute('aria-label') || button.textContent.trim()) + ' ends at ' + Math.round(rect.right) + ' px of ' + Math.round(right));
    }
    return out;
  })()`)) as string[];
}
