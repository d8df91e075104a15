// Whether the reader is away from the top of a live list: scrolled so that its first rows are hidden, or with
// something selected in it. While away, new rows wait behind the list's "N new" bar instead of moving what the
// reader looks at. Read when a batch is applied, not on every scroll.
import type { Ref } from 'vue';

/** Pixels of the list that may hide under the sticky header before the reader counts as scrolled away. */
const SCROLL_SLACK_PX = 60;

export function useReaderAway(list: Ref<HTMLElement | null>, selected: () => boolean = () => false): () => boolean {
  return () => {
    if (selected()) return true;
    const element = list.value;
    if (!element || window.scrollY === 0) return false;
    const header = document.querySelector('header')?.getBoundingClientRect().bottom ?? 0;
    return element.getBoundingClientRect().top < header - SCROLL_SLACK_PX;
  };
}
