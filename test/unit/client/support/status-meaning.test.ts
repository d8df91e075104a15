import { describe, expect, it } from 'vitest';
import { statusMeaning } from '../../../../client/src/support/status-meaning.js';
import { RECORD_STATUSES, RUN_STATUSES } from '../../../../client/src/support/statuses.js';

describe('statusMeaning', () => {
  it('says what every status means', () => {
    for (const status of [...RUN_STATUSES, ...RECORD_STATUSES]) expect(statusMeaning(status), status).toMatch(/^[A-Z].{10,}\.$/);
    expect(statusMeaning('SOMETHING_NEW')).toBe('SOMETHING_NEW');
  });

  it('names the seeds’ statuses where their users look for them', () => {
    expect(statusMeaning('COMPLETED_WITH_ERRORS')).toContain('"Incomplete"');
    expect(statusMeaning('COMPLETED_WITH_ERRORS')).toContain('"Finished with Errors"');
    expect(statusMeaning('SUCCESS')).toContain('"Completed"');
    expect(statusMeaning('RUNNING')).toContain('"In Process"');
    expect(statusMeaning('ROLLED_BACK')).toContain('"Cleaned up"');
    expect(statusMeaning('FAILED')).toContain('"Failure"');
  });
});
