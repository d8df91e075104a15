// The keys page's list of keys, typed by codegen (`npm run codegen`).
import { graphql } from './generated';

export const apiKeysQuery = graphql(`
  query ApiKeys {
    apiKeys {
      id
      name
      role
      tenantId
    }
  }
`);
