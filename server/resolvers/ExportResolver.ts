import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { ExportJob } from '../entities/ExportJob.js';
import { actorOf, type Context } from '../graphql/context.js';
import { RecordFilter, RunFilter } from './types/filters.input.js';

/** CSV exports: ask for one, poll it until READY, download it from its signed link. */
@Resolver()
export class ExportResolver {
  // Any reader may ask: the service lets a reader export one run's records and keeps the rest to OPERATOR.
  @Authorized('read')
  @Mutation(() => ExportJob, {
    description:
      'Exports the records a filter matches (as the records query filters) as CSV, with no row cap. Newest first: with a limit, exactly the first rows the records query lists; without one, every match, most recently reported first. Returns at once with a PENDING job: poll exportJob until READY; rowCount is the file’s own count once it is downloaded. A tenant-bound key exports only its tenant. Audited. OPERATOR; a VIEWER may export the records of one run (filter.runIds naming one run, e.g. its failed records), anything broader is FORBIDDEN.',
  })
  exportRecords(
    @Ctx() ctx: Context,
    @Arg('filter', () => RecordFilter, { nullable: true, description: 'The records, as in the records query.' }) filter?: RecordFilter,
    @Arg('limit', () => Int, { nullable: true, description: 'At most this many rows (at least 1), the newest; all when omitted.' })
    limit?: number | null,
  ): Promise<ExportJob> {
    return ctx.services.exports.exportRecords(actorOf(ctx), filter, limit);
  }

  @Authorized('operate')
  @Mutation(() => ExportJob, {
    description:
      'Exports the runs a filter matches (as the runs query filters) as CSV, newest first as the runs query lists them, with no row cap. Returns at once with a PENDING job: poll exportJob until READY. A tenant-bound key exports only its tenant. Audited. OPERATOR.',
  })
  exportRuns(
    @Ctx() ctx: Context,
    @Arg('filter', () => RunFilter, { nullable: true, description: 'The runs, as in the runs query.' }) filter?: RunFilter,
    @Arg('limit', () => Int, { nullable: true, description: 'At most this many rows (at least 1), the newest; all when omitted.' })
    limit?: number | null,
  ): Promise<ExportJob> {
    return ctx.services.exports.exportRuns(actorOf(ctx), filter, limit);
  }

  @Authorized()
  @Query(() => ExportJob, {
    nullable: true,
    description:
      'An export job, to follow it until READY; null when it does not exist, was removed after it expired, or belongs to another tenant.',
  })
  exportJob(@Arg('id', () => ID, { description: 'The job.' }) id: string, @Ctx() ctx: Context): Promise<ExportJob | null> {
    return ctx.services.exports.find(actorOf(ctx), id);
  }
}
