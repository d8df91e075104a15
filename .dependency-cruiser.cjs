// The layers of syncwatch, kept by test/unit/architecture.test.ts (and `npx depcruise server client` for a look).
// Data flows one way: HTTP / WebSocket → resolvers → services → database and events. Each rule says why it exists.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'resolvers-no-database',
      comment:
        'Resolvers translate GraphQL to one service call: SQL, the data source and the database driver live in services, ' +
        'where transactions and tenancy are decided once.',
      severity: 'error',
      from: { path: '^server/resolvers/' },
      to: { path: ['^server/db/', '^node_modules/(typeorm|pg|pg-copy-streams)/'] },
    },
    {
      name: 'services-no-transport',
      comment:
        'Services hold the rules and the transactions; they never know how a request arrived (GraphQL, HTTP, WebSocket), ' +
        'so the SDK, jobs and tests can call them as they are.',
      severity: 'error',
      from: { path: '^server/services/' },
      to: {
        path: [
          '^server/(resolvers|graphql|http)/',
          '^node_modules/(express|ws|graphql-ws|@apollo/server|@as-integrations/[^/]+|type-graphql)/',
        ],
      },
    },
    {
      name: 'domain-is-pure',
      comment: 'domain/ holds the rules as plain functions and constants: testable without a database or a server.',
      severity: 'error',
      from: { path: '^server/domain/' },
      to: { path: '^server/', pathNot: '^server/domain/' },
    },
    {
      name: 'sql-is-text',
      comment:
        'server/sql/ holds the statements as text, which services run: it may read the pure rules (domain/) to spell ' +
        'constants once, and nothing that runs.',
      severity: 'error',
      from: { path: '^server/sql/' },
      to: { path: '^server/', pathNot: '^server/(sql|domain)/' },
    },
    {
      name: 'entities-no-services',
      comment: 'Entities describe rows; behaviour that reads or writes them belongs to services, which import entities, not the reverse.',
      severity: 'error',
      from: { path: '^server/entities/' },
      to: { path: '^server/services/' },
    },
    {
      name: 'events-no-services',
      comment: 'The event log and bus carry what services decided; a service publishes through them, never the reverse (no cycle).',
      severity: 'error',
      from: { path: '^server/events/' },
      to: { path: '^server/services/' },
    },
    {
      name: 'events-no-transport',
      comment:
        'events/ yields plain values (events, cursors, what a subscriber may see); how they reach a socket (GraphQL ' +
        'execution, sharing, encoding, close codes) is graphql/ws/, which calls into events/, never the reverse.',
      severity: 'error',
      from: { path: '^server/events/' },
      to: { path: ['^server/(graphql|resolvers|http)/', '^node_modules/(graphql|graphql-ws|ws|type-graphql|@apollo/server)/'] },
    },
    {
      name: 'sdk-standalone',
      comment: "The worker SDK ships to pipeline workers on their own machines: it may not pull in the server's code.",
      severity: 'error',
      from: { path: '^server/sdk/' },
      to: { path: '^server/', pathNot: '^server/sdk/' },
    },
    {
      name: 'cli-standalone',
      comment:
        "The `syncwatch` command line runs on operators' machines and in CI jobs: like the SDK, whose HTTP client and close " +
        'codes it shares, it may not pull in the server’s code.',
      severity: 'error',
      from: { path: '^server/cli/' },
      to: { path: '^server/', pathNot: '^server/(cli|sdk)/' },
    },
    {
      name: 'client-standalone',
      comment:
        "The dashboard runs in the browser and knows the server only through the GraphQL schema's generated types, the close codes it shares with the SDK (server/sdk/close-codes.ts) and the CSV cell rule of its own CSVs (server/domain/csv-cells.ts): both import nothing, made to be shared.",
      severity: 'error',
      from: { path: '^client/' },
      to: { path: '^server/', pathNot: '^server/(sdk/close-codes|domain/csv-cells)[.]ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.vue', '.mjs', '.json'],
    },
  },
};
