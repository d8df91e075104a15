import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { SyncMode } from '../domain/enums.js';
import { SyncRun } from '../entities/SyncRun.js';
import { actorOf, type Context } from '../graphql/context.js';
import { HeartbeatResult, ReportResult } from './types/results.js';
import { FinishRunInput, RecordReportInput, StartRunInput } from './types/run.input.js';

/** What pipeline workers call (INGEST keys). */
@Resolver()
export class WorkerResolver {
  @Authorized('ingest')
  @Mutation(() => SyncRun, { description: 'Starts a RUNNING run under a lease. INGEST.' })
  startRun(@Arg('input', () => StartRunInput, { description: 'The run.' }) input: StartRunInput, @Ctx() ctx: Context): Promise<SyncRun> {
    return ctx.services.runLifecycle.start(actorOf(ctx), input);
  }

  @Authorized('ingest')
  @Mutation(() => ReportResult, {
    description:
      'Reports up to 5,000 records of a RUNNING or CANCELLING run and renews its lease. Invalid entries are rejected by index; the valid ones are stored. INGEST Only the worker that holds the run: the key that started or claimed it, or its leaseToken (FORBIDDEN or CONFLICT otherwise).',
  })
  reportRecords(
    @Arg('runId', () => ID, { description: 'The run.' }) runId: string,
    @Arg('records', () => [RecordReportInput], { description: 'The records, at most 5,000.' }) records: RecordReportInput[],
    @Ctx() ctx: Context,
    @Arg('leaseToken', () => String, {
      nullable: true,
      description: 'The leaseToken startRun or claimRun returned. Omitted, only the key that started or claimed the run may act on it.',
    })
    leaseToken?: string | null,
  ): Promise<ReportResult> {
    return ctx.services.ingest.report(actorOf(ctx), runId, records, leaseToken);
  }

  @Authorized('ingest')
  @Mutation(() => HeartbeatResult, {
    description:
      'Renews the run’s lease and tells whether a cancel was requested. INGEST Only the worker that holds the run: the key that started or claimed it, or its leaseToken (FORBIDDEN or CONFLICT otherwise).',
  })
  heartbeat(
    @Arg('runId', () => ID, { description: 'The run.' }) runId: string,
    @Ctx() ctx: Context,
    @Arg('leaseToken', () => String, {
      nullable: true,
      description: 'The leaseToken startRun or claimRun returned. Omitted, only the key that started or claimed the run may act on it.',
    })
    leaseToken?: string | null,
  ): Promise<HeartbeatResult> {
    return ctx.services.runLifecycle.heartbeat(actorOf(ctx), runId, leaseToken);
  }

  @Authorized('ingest')
  @Mutation(() => SyncRun, {
    description:
      'Ends a RUNNING or CANCELLING run. INGEST Only the worker that holds the run: the key that started or claimed it, or its leaseToken (FORBIDDEN or CONFLICT otherwise).',
  })
  finishRun(
    @Arg('runId', () => ID, { description: 'The run.' }) runId: string,
    @Ctx() ctx: Context,
    @Arg('input', () => FinishRunInput, { nullable: true, description: 'Final status and error; omitted, the status is derived.' })
    input?: FinishRunInput,
    @Arg('leaseToken', () => String, {
      nullable: true,
      description: 'The leaseToken startRun or claimRun returned. Omitted, only the key that started or claimed the run may act on it.',
    })
    leaseToken?: string | null,
  ): Promise<SyncRun> {
    return ctx.services.runLifecycle.finish(actorOf(ctx), runId, input, leaseToken);
  }

  @Authorized('ingest')
  @Mutation(() => SyncRun, {
    nullable: true,
    description:
      'Takes the oldest QUEUED run of the pipeline (of one of `modes`, when given) and starts it under a lease; null when none waits. Each run goes to one worker. INGEST.',
  })
  claimRun(
    @Arg('pipelineId', () => ID, { description: 'The pipeline.' }) pipelineId: string,
    @Arg('workerId', () => String, { description: 'Your worker’s name, kept on the run.' }) workerId: string,
    @Ctx() ctx: Context,
    @Arg('modes', () => [SyncMode], {
      nullable: true,
      description: 'Only runs of these modes (the ones this worker handles); omitted: any mode.',
    })
    modes?: SyncMode[] | null,
  ): Promise<SyncRun | null> {
    return ctx.services.runLifecycle.claim(actorOf(ctx), pipelineId, workerId, modes ?? null);
  }
}
