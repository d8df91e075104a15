// The syncwatch worker SDK: report runs and records of a pipeline over GraphQL. Imports nothing from the server.
export { type AfterClose, CLOSE, type CloseMeaning, closeMeaning } from './close-codes.js';
export { SyncwatchError } from './graphql-client.js';
export { RunAbortedError } from './run-session.js';
export type {
  AbortReason,
  FinishRunInput,
  RecordOperation,
  RecordReportInput,
  RecordStatus,
  RetryRecord,
  RunContext,
  RunHandler,
  RunHandlers,
  RunOutcome,
  RunStatus,
  StartRunOptions,
  SyncMode,
  Worker,
  WorkerLogger,
  WorkerOptions,
  WorkerRun,
} from './types.js';
export { type AlertWebhookEnvelope, verifyAlertWebhook, WebhookVerificationError } from './webhooks.js';
export { createWorker } from './worker.js';
export type { WorkerCommand } from './worker-commands.js';
