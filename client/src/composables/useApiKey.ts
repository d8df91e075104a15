// The API key the dashboard calls with: taken from `#key=...` once, then kept in localStorage.
import { type Ref, ref } from 'vue';
import { apiKeyFromHash, hashWithoutKey } from '../support/api-key';

const STORAGE_KEY = 'syncwatch.apiKey';

export interface ApiKeyState {
  key: Ref<string | null>;
  save(key: string): void;
  forget(): void;
}

export function useApiKey(): ApiKeyState {
  const fromHash = apiKeyFromHash(window.location.hash);
  if (fromHash) {
    localStorage.setItem(STORAGE_KEY, fromHash);
    history.replaceState(history.state, '', `${window.location.pathname}${window.location.search}${hashWithoutKey(window.location.hash)}`);
  }
  const key = ref(localStorage.getItem(STORAGE_KEY));
  return {
    key,
    save(next) {
      localStorage.setItem(STORAGE_KEY, next);
      key.value = next;
    },
    forget() {
      localStorage.removeItem(STORAGE_KEY);
      key.value = null;
    },
  };
}
