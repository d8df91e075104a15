// "Would fire now for: …" under the rule form: the server evaluates the draft as the leader evaluates saved rules
// (alertRulePreview), for every condition. Asked again once the form has been still for a moment, not on each key.
import { onScopeDispose, ref, watch } from 'vue';
import { alertRulePreviewQuery } from '../graphql/alert-operations';
import { errorMessage } from '../graphql/errors';
import type { AlertRuleInput, AlertRulePreviewQuery } from '../graphql/generated/graphql';
import { useApolloClient } from './useApolloClient';

/** How long the form must be still before the preview is asked for. */
const SETTLE_MS = 400;

type Target = AlertRulePreviewQuery['alertRulePreview'][number];

/** A target as the sentence names it: a pipeline by its name, an error group by what its alert would say. */
const named = (target: Target) =>
  target.fingerprint ? `${target.summary} (${target.pipelineName ?? 'no pipeline'})` : (target.pipelineName ?? target.summary);

/** The preview of the rule `draft` gives (null: none to preview, say for a key that may not write rules), kept current. */
export function useRulePreview(draft: () => AlertRuleInput | null) {
  const client = useApolloClient();
  const text = ref<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;

  async function ask(input: AlertRuleInput) {
    const mine = ++asked;
    try {
      const { data } = await client.query({ query: alertRulePreviewQuery, variables: { input }, fetchPolicy: 'no-cache' });
      if (mine !== asked) return; // the form changed meanwhile: a later answer is coming
      const targets = data?.alertRulePreview ?? [];
      text.value = targets.length ? `Would fire now for: ${targets.map(named).join(', ')}` : 'Would fire now for no pipeline.';
    } catch (failure) {
      if (mine !== asked) return;
      // An unfinished form (a threshold not given yet) is refused as a save would be: say what is missing.
      text.value = `No preview yet: ${errorMessage(failure as Error)}`;
    }
  }

  watch(
    draft,
    (input) => {
      clearTimeout(timer);
      if (input === null) {
        asked++;
        text.value = null;
        return;
      }
      timer = setTimeout(() => ask(input), SETTLE_MS);
    },
    { immediate: true, deep: true },
  );
  onScopeDispose(() => clearTimeout(timer));

  return { text };
}
