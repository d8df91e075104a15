// The dashboard's API key travels in the URL fragment (`#key=...`, what `npm start` prints): never sent to a server.

/** The key in a location hash such as `#key=abc`, or null when there is none. */
export function apiKeyFromHash(hash: string): string | null {
  const key = new URLSearchParams(hash.replace(/^#/, '')).get('key')?.trim();
  return key ? key : null;
}

/** The hash left once the key is taken out of it, so the secret does not stay on screen or in bookmarks. */
export function hashWithoutKey(hash: string): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  params.delete('key');
  const rest = params.toString();
  return rest ? `#${rest}` : '';
}
