// The message a page shows after an operator action: what was done, or why it was refused. Stays until the next.
import { ref } from 'vue';
import { errorMessage } from '../graphql/errors';

export interface ActionResult {
  kind: 'success' | 'error';
  text: string;
}

export function useActionResult() {
  const result = ref<ActionResult | null>(null);
  const busy = ref(false);

  /** Runs the action; its answer (a sentence) or its error becomes the message. */
  async function run(action: () => Promise<string>): Promise<boolean> {
    busy.value = true;
    try {
      result.value = { kind: 'success', text: await action() };
      return true;
    } catch (failure) {
      result.value = { kind: 'error', text: errorMessage(failure as Error) };
      return false;
    } finally {
      busy.value = false;
    }
  }

  return { result, busy, run, clear: () => (result.value = null) };
}
