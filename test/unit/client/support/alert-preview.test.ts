import { describe, expect, it } from 'vitest';
import { wouldFireFor } from '../../../../client/src/support/alert-preview.js';

const pipelines = [
  { id: 'a', name: 'Billing → CRM', health: { status: 'FAILING', reason: 'last run failed', deadLetters: 0, errorRate24h: 0.5 } },
  { id: 'b', name: 'Leads → CRM', health: { status: 'DEGRADED', reason: '12 dead letters wait', deadLetters: 12, errorRate24h: 0.05 } },
  { id: 'c', name: 'Orders → ERP', health: { status: 'HEALTHY', reason: 'fine', deadLetters: 0, errorRate24h: 0 } },
];
const rule = { pipelineIds: [], threshold: null, windowSeconds: null, healthStates: [] };

describe('wouldFireFor', () => {
  it('previews health, dead letters and a 24-hour error rate; the others are left to the server', () => {
    expect(wouldFireFor({ ...rule, condition: 'PIPELINE_HEALTH', healthStates: ['FAILING', 'STALE'] }, pipelines)).toEqual([
      'Billing → CRM',
    ]);
    expect(wouldFireFor({ ...rule, condition: 'DEAD_LETTERS', threshold: 10 }, pipelines)).toEqual(['Leads → CRM']);
    expect(wouldFireFor({ ...rule, condition: 'ERROR_RATE', threshold: 0.3, windowSeconds: 86_400 }, pipelines)).toEqual(['Billing → CRM']);
    expect(wouldFireFor({ ...rule, condition: 'ERROR_RATE', threshold: 0.3, windowSeconds: 600 }, pipelines)).toBeNull();
    expect(wouldFireFor({ ...rule, condition: 'RUN_FAILED' }, pipelines)).toBeNull();
  });

  it('looks at the chosen pipelines only', () => {
    expect(
      wouldFireFor({ ...rule, condition: 'PIPELINE_HEALTH', healthStates: ['FAILING', 'DEGRADED'], pipelineIds: ['b'] }, pipelines),
    ).toEqual(['Leads → CRM']);
  });
});
