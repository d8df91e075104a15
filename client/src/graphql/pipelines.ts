import { graphql } from './generated';

export const pipelinesQuery = graphql(`
  query Pipelines {
    pipelines {
      id
      name
      sourceSystem
      targetSystem
      direction
      tenantId
    }
  }
`);
