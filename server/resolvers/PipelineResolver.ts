import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type PipelineHealthView, pipelineHealth } from '../domain/pipeline-health.js';
import { Pipeline } from '../entities/Pipeline.js';
import { actorOf, type Context } from '../graphql/context.js';
import { PipelineInput } from './types/pipeline.input.js';
import { PipelineHealth } from './types/pipeline-health.js';

@Resolver(() => Pipeline)
export class PipelineResolver {
  @Authorized()
  @Query(() => [Pipeline], { description: 'Every pipeline the key may see, oldest first.' })
  pipelines(@Ctx() ctx: Context): Promise<Pipeline[]> {
    return ctx.services.pipelines.list(actorOf(ctx));
  }

  @Authorized()
  @Query(() => Pipeline, { nullable: true, description: 'One pipeline; null when it does not exist or belongs to another tenant.' })
  pipeline(@Arg('id', () => ID, { description: 'The pipeline’s id.' }) id: string, @Ctx() ctx: Context): Promise<Pipeline | null> {
    return ctx.services.pipelines.find(actorOf(ctx), id);
  }

  @Authorized('admin')
  @Mutation(() => Pipeline, { description: 'Creates a pipeline. ADMIN.' })
  createPipeline(
    @Arg('input', () => PipelineInput, { description: 'Its settings.' }) input: PipelineInput,
    @Ctx() ctx: Context,
  ): Promise<Pipeline> {
    return ctx.services.pipelines.create(actorOf(ctx), input);
  }

  @Authorized('admin')
  @Mutation(() => Pipeline, {
    description:
      'Changes a pipeline: name and systems are replaced; an omitted direction, tenantId, config, retry policy field or expectedIntervalSeconds keeps its value (an explicit null clears tenantId, config and expectedIntervalSeconds). ADMIN.',
  })
  updatePipeline(
    @Arg('id', () => ID, { description: 'The pipeline’s id.' }) id: string,
    @Arg('input', () => PipelineInput, { description: 'Its new settings.' }) input: PipelineInput,
    @Ctx() ctx: Context,
  ): Promise<Pipeline> {
    return ctx.services.pipelines.update(actorOf(ctx), id, input);
  }

  @FieldResolver(() => PipelineHealth, { description: 'Whether the pipeline does its job now, with the reason in words.' })
  async health(@Root() pipeline: Pipeline, @Ctx() ctx: Context): Promise<PipelineHealthView> {
    return pipelineHealth(pipeline, await ctx.loaders.healthFacts.load(pipeline.id), new Date());
  }
}
