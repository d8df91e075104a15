// The API key the console calls with: taken from `#key=...` once (before the router reads the address), then kept
// in localStorage.
import { type Ref, ref } from 'vue';
import { apiKeyFromHash, hashWithoutKey } from '../support/api-key';

const STORAGE_KEY = 'syncwatch.apiKey';

/** Moves a `#key=` from the address into storage, so the secret leaves the address bar and history at once. */
export function takeKeyFromAddress(): void {
  const fromHash = apiKeyFromHash(window.location.hash);
  if (!fromHash) return;
  localStorage.setItem(STORAGE_KEY, fromHash);
  history.replaceState(history.state, '', `${window.location.pathname}${window.location.search}${hashWithoutKey(window.location.hash)}`);
}

export interface ApiKeyState {
  key: Ref<string | null>;
  save(key: string): void;
  forget(): void;
}

export function useApiKey(): ApiKeyState {
  takeKeyFromAddress();
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
