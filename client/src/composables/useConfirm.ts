// A confirmation before anything that changes data, as a promise. ConfirmDialog.vue (once, in App.vue) shows the
// question asked last: naive-ui's modal traps focus and Esc cancels. Not naive-ui's useDialog(): its dialogs take no
// attributes, so they had no accessible name (axe's aria-dialog-name).
import { readonly, shallowRef } from 'vue';

export interface Question {
  title: string;
  content: string;
  confirmText: string;
  /** Closes the dialog with the reader's answer. */
  answer(confirmed: boolean): void;
}

const asked = shallowRef<Question | null>(null);

/** The question on screen, if any (for ConfirmDialog.vue). */
export const questionAsked = readonly(asked);

export function useConfirm() {
  return (title: string, content: string, confirmText: string): Promise<boolean> =>
    new Promise((resolve) => {
      // A new question replaces one left open: that one counts as not confirmed.
      asked.value?.answer(false);
      const question: Question = {
        title,
        content,
        confirmText,
        answer(confirmed) {
          if (asked.value === question) asked.value = null;
          resolve(confirmed);
        },
      };
      asked.value = question;
    });
}
