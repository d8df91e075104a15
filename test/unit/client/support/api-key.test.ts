import { describe, expect, it } from 'vitest';
import { apiKeyFromHash, hashWithoutKey } from '../../../../client/src/support/api-key.js';

describe('apiKeyFromHash', () => {
  it('reads the key npm start prints in the address', () => {
    expect(apiKeyFromHash('#key=sw_abc123')).toBe('sw_abc123');
    expect(apiKeyFromHash('#run=42&key=sw_abc123')).toBe('sw_abc123');
  });

  it('is null without a key', () => {
    expect(apiKeyFromHash('')).toBeNull();
    expect(apiKeyFromHash('#key=')).toBeNull();
    expect(apiKeyFromHash('#run=42')).toBeNull();
  });
});

describe('hashWithoutKey', () => {
  it('drops the secret and keeps the rest', () => {
    expect(hashWithoutKey('#key=sw_abc123')).toBe('');
    expect(hashWithoutKey('#run=42&key=sw_abc123')).toBe('#run=42');
  });
});
