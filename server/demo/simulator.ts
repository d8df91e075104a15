// Simulated source and target systems: what happens to one record, with realistic latencies, failures and sub-steps.
import type { RecordReportInput, RetryRecord } from '../sdk/index.js';
import type { DemoPipeline, EntityProfile, FailureProfile } from './catalog.js';

export type Random = () => number;

/** A small seeded generator (mulberry32): the same seed gives the same history. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller). */
function gaussian(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Latency of one write: log-normal around the entity's median. */
export function latencyOf(entity: EntityProfile, random: Random): number {
  return Math.max(5, Math.round(entity.latencyMs * Math.exp(entity.spread * gaussian(random))));
}

export function pickEntity(pipeline: DemoPipeline, random: Random): EntityProfile {
  let r = random();
  for (const entity of pipeline.entities) {
    r -= entity.share;
    if (r < 0) return entity;
  }
  return pipeline.entities[0];
}

function pickFailure(pipeline: DemoPipeline, operationType: string | null, random: Random): FailureProfile {
  const candidates = pipeline.failures.filter((f) => !f.operations || (operationType !== null && f.operations.includes(operationType)));
  let r = random() * candidates.reduce((sum, f) => sum + f.weight, 0);
  for (const failure of candidates) {
    r -= failure.weight;
    if (r < 0) return failure;
  }
  return candidates[0];
}

const FIELDS = ['Name', 'Email', 'Phone', 'BillingCity', 'BillingCountry', 'Status', 'Owner', 'Industry', 'Price', 'Description'];

function changedFields(random: Random): string[] {
  const count = 1 + Math.floor(random() * 3);
  const start = Math.floor(random() * FIELDS.length);
  return Array.from({ length: count }, (_, i) => FIELDS[(start + i) % FIELDS.length]);
}

export interface SimulateOptions {
  entity: EntityProfile;
  /** Index into the entity population: the same index is the same entity in every run. */
  n: number;
  operationType: string | null;
  /** When the attempt starts (ms since the epoch). */
  startedAt: number;
  random: Random;
  /** Multiplies the failure rate (an incident makes a bad hour). */
  failureScale?: number;
}

/** How troubled one run's systems are: most runs go clean, some hit a few failures, a few a bad patch. */
export function runTrouble(random: Random): number {
  const roll = random();
  return roll < 0.55 ? 0 : roll < 0.93 ? 1.6 : 5;
}

/** One record's attempt: its report and how long it took. */
export function simulateRecord(pipeline: DemoPipeline, options: SimulateOptions): { record: RecordReportInput; latencyMs: number } {
  const { entity, n, random } = options;
  const latencyMs = latencyOf(entity, random);
  const sourceId = entity.sourceId(n);
  const roll = random();
  const operation = roll < 0.04 ? 'DELETE' : roll < 0.18 ? 'CREATE' : 'UPDATE';
  const timing = {
    startedAt: new Date(options.startedAt).toISOString(),
    endedAt: new Date(options.startedAt + latencyMs).toISOString(),
    latencyMs,
  };
  const base = { entityType: entity.entityType, sourceId, operation, ...timing } as const;

  const outcome = random();
  const failureRate = pipeline.failureRate * (options.failureScale ?? 1);
  if (outcome < failureRate) {
    const failure = pickFailure(pipeline, options.operationType, random);
    const partial = failure.status === 'PARTIALLY_FAILED';
    return {
      latencyMs,
      record: {
        ...base,
        status: failure.status,
        targetId: partial ? entity.targetId(n) : null,
        errorCode: failure.code,
        errorMessage: failure.message(entity.entityType, sourceId, n),
        retryable: failure.retryable,
        details: pipeline.subSteps
          ? {
              steps: subSteps(
                pipeline.subSteps,
                partial ? (failure.code === 'VALIDATION_FAILED' ? 'metafields' : 'inventory') : null,
                random,
              ),
            }
          : { fieldsChanged: changedFields(random) },
      },
    };
  }
  if (outcome < failureRate + pipeline.skipRate) {
    return {
      latencyMs,
      record: {
        ...base,
        operation: 'UPDATE',
        status: 'SKIPPED',
        targetId: entity.targetId(n),
        details: { reason: 'no changes to synced fields' },
      },
    };
  }
  if (pipeline.subSteps && random() < 0.06) {
    const images = 3 + Math.floor(random() * 5);
    const uploaded = Math.floor(images * (0.4 + random() * 0.4));
    return {
      latencyMs,
      record: {
        ...base,
        status: 'PARTIAL_SUCCESS',
        targetId: entity.targetId(n),
        errorMessage: `${uploaded} of ${images} images uploaded; ${images - uploaded} exceeded the 20 MB limit`,
        details: { steps: { ...subSteps(pipeline.subSteps, null, random), images: `partial: ${uploaded}/${images}` } },
      },
    };
  }
  return {
    latencyMs,
    record: {
      ...base,
      status: 'SUCCESS',
      targetId: entity.targetId(n),
      details: pipeline.subSteps ? { steps: subSteps(pipeline.subSteps, null, random) } : { fieldsChanged: changedFields(random) },
    },
  };
}

function subSteps(steps: string[], failed: string | null, random: Random): Record<string, string> {
  return Object.fromEntries(steps.map((step) => [step, step === failed ? 'failed' : `ok (${20 + Math.floor(random() * 400)} ms)`]));
}

/** Another attempt of a record a retry run hands back: most clear up (the lock is gone, the data was fixed); some fail again. */
export function reattempt(
  pipeline: DemoPipeline,
  record: RetryRecord,
  startedAt: number,
  random: Random,
): { record: RecordReportInput; latencyMs: number } {
  const entity = pipeline.entities.find((e) => e.entityType === record.entityType) ?? pipeline.entities[0];
  const latencyMs = latencyOf(entity, random);
  const timing = { startedAt: new Date(startedAt).toISOString(), endedAt: new Date(startedAt + latencyMs).toISOString(), latencyMs };
  const base = { entityType: record.entityType, sourceId: record.sourceId, operation: record.operation, ...timing };
  if (random() < 0.75) {
    return {
      latencyMs,
      record: { ...base, status: 'SUCCESS', targetId: record.targetId ?? `t-${record.sourceId}`, details: record.details },
    };
  }
  const transient = pipeline.failures.filter((f) => f.retryable && f.status === 'FAILED');
  const failure = transient[Math.floor(random() * transient.length)];
  return {
    latencyMs,
    record: {
      ...base,
      status: failure.status,
      targetId: record.targetId,
      errorCode: failure.code,
      errorMessage: failure.message(record.entityType, record.sourceId, Math.floor(random() * 1000)),
      details: record.details,
    },
  };
}
