// The contract's enums: one TypeScript string enum each, stored as a Postgres enum of the same values.

export enum SyncMode {
  REAL_TIME = 'REAL_TIME',
  MANUAL = 'MANUAL',
  SCHEDULED = 'SCHEDULED',
  ON_DEMAND = 'ON_DEMAND',
  RETRY = 'RETRY',
  CLEANUP = 'CLEANUP',
}

export enum SyncDirection {
  PUSH = 'PUSH',
  PULL = 'PULL',
}

export enum RunStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  CANCELLING = 'CANCELLING',
  SUCCEEDED = 'SUCCEEDED',
  COMPLETED_WITH_ERRORS = 'COMPLETED_WITH_ERRORS',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
  ROLLED_BACK = 'ROLLED_BACK',
}

export enum RecordStatus {
  PENDING = 'PENDING',
  EXTRACTING = 'EXTRACTING',
  IN_PROGRESS = 'IN_PROGRESS',
  SUCCESS = 'SUCCESS',
  PARTIAL_SUCCESS = 'PARTIAL_SUCCESS',
  PARTIALLY_FAILED = 'PARTIALLY_FAILED',
  FAILED = 'FAILED',
  EXTRACTION_FAILED = 'EXTRACTION_FAILED',
  SKIPPED = 'SKIPPED',
  RETRY_SCHEDULED = 'RETRY_SCHEDULED',
  DEAD_LETTERED = 'DEAD_LETTERED',
  DISCARDED = 'DISCARDED',
  CANCELLED = 'CANCELLED',
}

export enum RecordOperation {
  CREATE = 'CREATE',
  UPDATE = 'UPDATE',
  DELETE = 'DELETE',
}

export enum Role {
  VIEWER = 'VIEWER',
  OPERATOR = 'OPERATOR',
  INGEST = 'INGEST',
  ADMIN = 'ADMIN',
}

export enum TimeInterval {
  MINUTE = 'MINUTE',
  HOUR = 'HOUR',
  DAY = 'DAY',
}

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}

export enum RunSortField {
  STARTED_AT = 'STARTED_AT',
  ENDED_AT = 'ENDED_AT',
}

export enum RecordSortField {
  STARTED_AT = 'STARTED_AT',
  ENDED_AT = 'ENDED_AT',
  LATENCY = 'LATENCY',
}

export enum ExportStatus {
  PENDING = 'PENDING',
  RUNNING = 'RUNNING',
  READY = 'READY',
  FAILED = 'FAILED',
}

export enum WorkerCommandType {
  RUN_QUEUED = 'RUN_QUEUED',
  CANCEL_RUN = 'CANCEL_RUN',
}
