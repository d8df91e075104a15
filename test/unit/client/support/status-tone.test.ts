import { describe, expect, it } from 'vitest';
import { statusTone } from '../../../../client/src/support/status-tone.js';

describe('statusTone', () => {
  it('marks outcomes that need attention', () => {
    expect(statusTone('SUCCEEDED')).toBe('ok');
    expect(statusTone('COMPLETED_WITH_ERRORS')).toBe('warn');
    expect(statusTone('FAILED')).toBe('bad');
    expect(statusTone('DEAD_LETTERED')).toBe('bad');
    expect(statusTone('RUNNING')).toBe('active');
    expect(statusTone('SKIPPED')).toBe('muted');
  });
});
