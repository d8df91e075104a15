import { Arg, Authorized, Ctx, ID, Resolver, Root, Subscription } from 'type-graphql';
import { notFound } from '../domain/errors.js';
import { isUuid } from '../domain/ids.js';
import type { Related } from '../events/live-event.js';
import {
  alertStream,
  commandStream,
  type LiveTransport,
  type RecordBatchValue,
  type RunEventValue,
  recordStream,
  runStream,
} from '../events/live-streams.js';
import { actorOf, type Context } from '../graphql/context.js';
import { AlertEvent } from './types/alerts.js';
import { RecordFilter, RunFilter } from './types/filters.input.js';
import { RecordBatchEvent, RunEvent, WorkerCommand } from './types/live-events.js';

/** Over WebSocket the context also carries the live transport (see graphql/ws/server.ts). */
type LiveContext = Context & { live?: LiveTransport };

/**
 * A subscription's context lives as long as it does: its loaders must not keep (stale) rows between events. They
 * start each event from what the event re-read (its run, its pipeline): nothing is asked of the database again.
 */
function freshLoaders(context: Context, related: Related = { run: null, pipeline: null }): void {
  for (const loader of Object.values(context.loaders)) loader.clearAll();
  if (related.run) context.loaders.run.prime(related.run.id, related.run);
  if (related.pipeline) context.loaders.pipeline.prime(related.pipeline.id, related.pipeline);
}

function transportOf(context: LiveContext): LiveTransport {
  if (!context.live) throw new Error('subscriptions are served over WebSocket (graphql-ws) at /graphql');
  return context.live;
}

const RESUME =
  'Cursor of the last event received: first every retained matching event after it is sent, then live ones. ' +
  'A cursor older than EVENT_RETENTION_HOURS (or unknown) fails with BAD_USER_INPUT and reason EVENTS_EXPIRED: reload, then subscribe without it.';

const SOCKET =
  'Over graphql-ws; the key goes in connection_init as { authorization: "Bearer <key>" }. Close codes: 4401 missing, bad or revoked key; ' +
  '4403 role may not subscribe; 4460 subscriber too slow (resume with since); 4461 too many sockets for the key (retry later); ' +
  '4462 a bad key from an address over its failed authentications (a valid key is still accepted); ' +
  '1009 message over the body limit; 1001 server going away (resume with since). At most 50 subscriptions per socket and WS_MAX_SOCKETS_PER_KEY (1,000) sockets per key and instance.';

@Resolver()
export class SubscriptionResolver {
  @Authorized()
  @Subscription(() => RunEvent, {
    description: `A run matching the filter was created or changed status, counts or lease. A busy run's progress is coalesced to a few events a second; status changes and the final state always arrive. ${SOCKET}`,
    subscribe: ({ args, context }) => runStream(transportOf(context), actorOf(context), args.filter, args.since),
  })
  runUpdated(
    @Root() event: RunEventValue,
    @Ctx() ctx: Context,
    @Arg('filter', () => RunFilter, { nullable: true, description: 'Which runs; the same meaning as in the runs query.' })
    _filter?: RunFilter,
    @Arg('since', () => String, { nullable: true, description: RESUME }) _since?: string,
  ): RunEventValue {
    freshLoaders(ctx, event.related);
    return event;
  }

  @Authorized()
  @Subscription(() => RecordBatchEvent, {
    description: `Records reported, one event per reported batch with the batch's matching records. ${SOCKET}`,
    subscribe: async ({ args, context }) => {
      const actor = actorOf(context);
      // Another tenant's run, or none, is NOT_FOUND as in queries (a malformed id is the stream's BAD_USER_INPUT).
      if (args.runId && isUuid(args.runId) && !(await (context as Context).services.runs.find(actor, args.runId))) {
        throw notFound('run', args.runId);
      }
      return recordStream(transportOf(context), actor, args.runId, args.filter, args.since);
    },
  })
  recordsUpdated(
    @Root() event: RecordBatchValue,
    @Ctx() ctx: Context,
    @Arg('runId', () => ID, { nullable: true, description: 'Only batches of this run.' }) _runId?: string,
    @Arg('filter', () => RecordFilter, { nullable: true, description: 'Which records; the same meaning as in the records query.' })
    _filter?: RecordFilter,
    @Arg('since', () => String, { nullable: true, description: RESUME }) _since?: string,
  ): RecordBatchValue {
    freshLoaders(ctx, event.related);
    return event;
  }

  @Authorized()
  @Subscription(() => WorkerCommand, {
    description: `Commands for the pipeline's workers: RUN_QUEUED when a run is queued (manual trigger, retry), CANCEL_RUN when a cancel is requested. Workers subscribe with INGEST keys; every role may watch. ${SOCKET}`,
    subscribe: async ({ args, context }) => {
      await (context as Context).services.pipelines.get(actorOf(context), args.pipelineId);
      return commandStream(transportOf(context), actorOf(context), args.pipelineId);
    },
  })
  workerCommands(
    @Root() command: WorkerCommand,
    @Arg('pipelineId', () => ID, { description: 'The pipeline the worker serves.' }) _pipelineId: string,
  ): WorkerCommand {
    return command;
  }

  @Authorized()
  @Subscription(() => AlertEvent, {
    description: `An alert the key sees fired, was acknowledged or resolved (a tenant-bound key: its tenant's rules' alerts). ${SOCKET}`,
    subscribe: ({ args, context }) => alertStream(transportOf(context), actorOf(context), args.since),
  })
  alertChanged(
    @Root() event: AlertEvent,
    @Ctx() ctx: Context,
    @Arg('since', () => String, { nullable: true, description: RESUME }) _since?: string,
  ): AlertEvent {
    freshLoaders(ctx);
    return event;
  }
}
