import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { Pipeline } from '../entities/Pipeline.js';
import { actorOf, type Context } from '../graphql/context.js';
import { PipelineInput } from './types/pipeline.input.js';

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
      'Changes a pipeline: name and systems are replaced; an omitted direction, tenantId, config or retry policy field keeps its value. ADMIN.',
  })
  updatePipeline(
    @Arg('id', () => ID, { description: 'The pipeline’s id.' }) id: string,
    @Arg('input', () => PipelineInput, { description: 'Its new settings.' }) input: PipelineInput,
    @Ctx() ctx: Context,
  ): Promise<Pipeline> {
    return ctx.services.pipelines.update(actorOf(ctx), id, input);
  }
}
