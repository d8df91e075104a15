// The three demo pipelines, like the seeds' connectors: what they move, how fast, and how their systems fail.

export type DemoPipelineKey = 'billing' | 'marketing' | 'erp';

/** One kind of entity a pipeline moves, with its latency (median and spread, ms) and its share of a run's records. */
export interface EntityProfile {
  entityType: string;
  share: number;
  latencyMs: number;
  spread: number;
  sourceId: (n: number) => string;
  targetId: (n: number) => string;
}

/** A failure a simulated system produces; `weight` is its share among the pipeline's failures. */
export interface FailureProfile {
  code: string;
  weight: number;
  status: 'FAILED' | 'EXTRACTION_FAILED' | 'PARTIALLY_FAILED';
  retryable: boolean;
  message: (entityType: string, sourceId: string, n: number) => string;
  /** Only in runs of these operation types (default: any). */
  operations?: string[];
}

export interface DemoPipeline {
  key: DemoPipelineKey;
  input: {
    name: string;
    sourceSystem: string;
    targetSystem: string;
    direction: 'PUSH' | 'PULL';
    /** The tenant owning the pipeline (a tenant-bound key sees only its own); unset: shared. */
    tenantId?: string;
    config: Record<string, unknown>;
    /** How often the pipeline should succeed; the live demo runs each well within it. */
    expectedIntervalSeconds: number;
    retryPolicy: {
      maxAttempts: number;
      initialDelaySeconds: number;
      backoffFactor: number;
      maxDelaySeconds: number;
      nonRetryableErrorCodes: string[];
      /** Times a run that ended FAILED is re-run whole. */
      maxRunReruns?: number;
    };
  };
  entities: EntityProfile[];
  /** Share of records that fail, and of records skipped as unchanged. */
  failureRate: number;
  skipRate: number;
  failures: FailureProfile[];
  /** ERP products are written in sub-steps that can partly fail. */
  subSteps?: string[];
  /** Records each pool holds (the same entities come back in later runs). */
  population: number;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** Salesforce-like 18-character ids: a 3-character key prefix and a number in base 36. */
const crmId = (prefix: string, n: number) => `${prefix}5g00000${(n * 7919 + 104729).toString(36).toUpperCase().padStart(8, '0')}`;

const lockMessage = (entityType: string, sourceId: string, n: number) =>
  `UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record or ${1 + (n % 4)} records: ${entityType} ${sourceId}`;
const timeoutMessage = (_: string, sourceId: string, n: number) =>
  `Read timed out after ${[15, 30, 60][n % 3] * 1000} ms writing ${sourceId} (batch ${1 + (n % 40)} of 40)`;

export const DEMO_PIPELINES: DemoPipeline[] = [
  {
    key: 'billing',
    input: {
      name: 'Billing → CRM accounts',
      sourceSystem: 'Billing',
      targetSystem: 'CRM',
      direction: 'PUSH',
      expectedIntervalSeconds: 60, // real-time pushes every few seconds
      config: { objects: ['Account', 'Contact', 'Subscription'], realTime: true, fullSyncBatchSize: 200 },
      retryPolicy: {
        maxAttempts: 5,
        initialDelaySeconds: 30,
        backoffFactor: 2,
        maxDelaySeconds: 900,
        nonRetryableErrorCodes: ['INVALID_ID', 'REQUIRED_FIELD_MISSING'],
      },
    },
    entities: [
      {
        entityType: 'Account',
        share: 0.5,
        latencyMs: 220,
        spread: 0.45,
        sourceId: (n) => `A${pad(n, 8)}`,
        targetId: (n) => crmId('001', n),
      },
      {
        entityType: 'Contact',
        share: 0.3,
        latencyMs: 140,
        spread: 0.4,
        sourceId: (n) => `C${pad(n, 8)}`,
        targetId: (n) => crmId('003', n),
      },
      {
        entityType: 'Subscription',
        share: 0.2,
        latencyMs: 380,
        spread: 0.55,
        sourceId: (n) => `S${pad(n, 8)}`,
        targetId: (n) => crmId('a0B', n),
      },
    ],
    failureRate: 0.025,
    skipRate: 0.05,
    failures: [
      { code: 'ROW_LOCKED', weight: 45, status: 'FAILED', retryable: true, message: lockMessage },
      { code: 'TIMEOUT', weight: 25, status: 'FAILED', retryable: true, message: timeoutMessage },
      {
        code: 'INVALID_ID',
        weight: 20,
        status: 'FAILED',
        retryable: false,
        message: (t, _s, n) => `Invalid CRM ${t} ID: ${crmId('001', n + 900_000)}`,
      },
      {
        code: 'REQUIRED_FIELD_MISSING',
        weight: 10,
        status: 'FAILED',
        retryable: false,
        message: (t, s, n) => `Required fields are missing: [${['BillingCountry', 'Email', 'CurrencyIsoCode'][n % 3]}] on ${t} ${s}`,
      },
    ],
    population: 40_000,
  },
  {
    key: 'marketing',
    input: {
      name: 'CRM ↔ Marketing leads',
      sourceSystem: 'CRM',
      targetSystem: 'Marketing',
      direction: 'PULL',
      expectedIntervalSeconds: 60, // scheduled about every 30 s in the live demo
      config: {
        schedule: 'hourly, pull and push in turn',
        operations: ['Pull updates', 'Push updates'],
        objects: ['Lead', 'Contact', 'Opportunity'],
      },
      retryPolicy: {
        maxAttempts: 4,
        initialDelaySeconds: 60,
        backoffFactor: 2,
        maxDelaySeconds: 1800,
        nonRetryableErrorCodes: ['INVALID_ID'],
        // Seed 000: a session that fails (a connection lost) runs again whole, once.
        maxRunReruns: 1,
      },
    },
    entities: [
      {
        entityType: 'Lead',
        share: 0.6,
        latencyMs: 90,
        spread: 0.5,
        sourceId: (n) => crmId('00Q', n),
        targetId: (n) => String(1_200_000 + n),
      },
      {
        entityType: 'Contact',
        share: 0.3,
        latencyMs: 110,
        spread: 0.45,
        sourceId: (n) => crmId('003', n + 50_000),
        targetId: (n) => String(2_400_000 + n),
      },
      { entityType: 'Opportunity', share: 0.1, latencyMs: 260, spread: 0.6, sourceId: (n) => crmId('006', n), targetId: (n) => `opp-${n}` },
    ],
    failureRate: 0.02,
    skipRate: 0.18,
    failures: [
      {
        code: 'EXTRACTION_FAILED',
        weight: 25,
        status: 'EXTRACTION_FAILED',
        retryable: true,
        operations: ['Pull updates'],
        message: (t, s, n) => `Failed to read ${t} ${s} from CRM: query timed out after ${60 + (n % 4) * 30} s`,
      },
      { code: 'TIMEOUT', weight: 25, status: 'FAILED', retryable: true, message: timeoutMessage },
      { code: 'ROW_LOCKED', weight: 30, status: 'FAILED', retryable: true, message: lockMessage },
      {
        code: 'INVALID_ID',
        weight: 20,
        status: 'FAILED',
        retryable: false,
        message: (t, s) => `Invalid ${t} ID ${s}: entity is deleted or merged`,
      },
      {
        code: 'FIELD_NOT_READABLE',
        weight: 10,
        status: 'EXTRACTION_FAILED',
        retryable: false,
        operations: ['Pull updates'],
        message: (t, s, n) =>
          `Failed to read ${t} ${s}: field ${['Email_Opt_Out__c', 'Lead_Score__c', 'Region__c'][n % 3]} is not readable by the integration user`,
      },
    ],
    population: 60_000,
  },
  {
    key: 'erp',
    input: {
      name: 'ERP → Web store products',
      sourceSystem: 'ERP',
      targetSystem: 'Web store',
      direction: 'PUSH',
      // Owned by one customer: a key bound to tenant webstore-eu sees this pipeline only.
      tenantId: 'webstore-eu',
      expectedIntervalSeconds: 120, // scheduled about every 30 s, with runs of up to half a minute
      config: { schedule: 'every 2 hours', subSteps: ['product', 'variants', 'images', 'inventory', 'metafields'], warehouse: 'WH-01' },
      retryPolicy: {
        maxAttempts: 5,
        initialDelaySeconds: 30,
        backoffFactor: 3,
        maxDelaySeconds: 3600,
        nonRetryableErrorCodes: ['INVALID_ID'],
      },
    },
    entities: [
      {
        entityType: 'Product',
        share: 0.55,
        latencyMs: 650,
        spread: 0.5,
        sourceId: (n) => `SKU-${pad(n, 6)}`,
        targetId: (n) => `prod_${8_100_000 + n}`,
      },
      {
        entityType: 'Variant',
        share: 0.35,
        latencyMs: 300,
        spread: 0.45,
        sourceId: (n) => `SKU-${pad(n, 6)}-V${1 + (n % 6)}`,
        targetId: (n) => `var_${4_500_000 + n}`,
      },
      {
        entityType: 'PriceList',
        share: 0.1,
        latencyMs: 180,
        spread: 0.35,
        sourceId: (n) => `PL-${pad(n % 400, 4)}-${n}`,
        targetId: (n) => `pl_${n}`,
      },
    ],
    failureRate: 0.03,
    skipRate: 0.08,
    failures: [
      {
        code: 'TIMEOUT',
        weight: 25,
        status: 'FAILED',
        retryable: true,
        message: (_t, s, n) => `Web store API timed out after ${10 + (n % 3) * 10} s updating ${s}`,
      },
      {
        code: 'ROW_LOCKED',
        weight: 15,
        status: 'FAILED',
        retryable: true,
        message: (_t, s) => `ERP item ${s} is locked by another session (WH-01)`,
      },
      {
        code: 'INVALID_ID',
        weight: 15,
        status: 'FAILED',
        retryable: false,
        message: (_t, s, n) => `Invalid product ID: ${s} has no variant "${['XL-RED', 'M-BLUE', 'S-BLACK'][n % 3]}" in the store`,
      },
      {
        code: 'EXTRACTION_FAILED',
        weight: 10,
        status: 'EXTRACTION_FAILED',
        retryable: true,
        message: (_t, s, n) => `ERP export of ${s} failed: cursor expired after ${n % 900} rows`,
      },
      {
        code: 'SUBSTEP_FAILED',
        weight: 35,
        status: 'PARTIALLY_FAILED',
        retryable: true,
        message: (_t, s, n) => `Sub-step inventory failed for ${s}: warehouse WH-0${1 + (n % 3)} returned 503`,
      },
      {
        code: 'VALIDATION_FAILED',
        weight: 10,
        status: 'PARTIALLY_FAILED',
        retryable: false,
        message: (_t, s, n) =>
          `Sub-step metafields failed for ${s}: care_instructions is ${256 + (n % 300)} characters, the store allows 255`,
      },
    ],
    subSteps: ['product', 'variants', 'images', 'inventory', 'metafields'],
    population: 30_000,
  },
];

export function demoPipeline(key: DemoPipelineKey): DemoPipeline {
  return DEMO_PIPELINES.find((p) => p.key === key) as DemoPipeline;
}
