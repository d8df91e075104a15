// GraphQL over HTTP with fetch: one typed request, errors carrying the server's extensions.code.
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';

/** A failed request: `code` is the GraphQL error's extensions.code, or NETWORK / HTTP_<status> below GraphQL. */
export class SyncwatchError extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** Whether sending the same request again may succeed (network trouble, overload). */
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'SyncwatchError';
  }
}

export interface GraphQLHttpClient {
  request<TResult, TVariables>(
    document: DocumentTypeDecoration<TResult, TVariables>,
    variables: TVariables,
    options?: RequestOptions,
  ): Promise<TResult>;
}

export interface RequestOptions {
  /** Retry transient failures (only for requests that are safe to repeat). */
  retries?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createHttpClient(url: string, apiKey: string): GraphQLHttpClient {
  async function once<TResult>(query: string, variables: unknown): Promise<TResult> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          authorization: `Bearer ${apiKey}`,
        },
        body: JSON.stringify({ query, variables }),
      });
    } catch (error) {
      throw new SyncwatchError(`syncwatch unreachable at ${url}: ${(error as Error).message}`, 'NETWORK', true);
    }
    const text = await response.text();
    let body: { data?: TResult | null; errors?: { message: string; extensions?: { code?: string } }[] };
    try {
      body = JSON.parse(text);
    } catch {
      throw new SyncwatchError(
        `HTTP ${response.status} from ${url}: ${text.slice(0, 200)}`,
        `HTTP_${response.status}`,
        response.status >= 500 || response.status === 429,
      );
    }
    const [first] = body.errors ?? [];
    // SERVICE_UNAVAILABLE: the server's database is away for a moment (a restart): worth retrying.
    if (first) {
      const code = first.extensions?.code ?? 'GRAPHQL_ERROR';
      throw new SyncwatchError(first.message, code, code === 'SERVICE_UNAVAILABLE');
    }
    if (!body.data)
      throw new SyncwatchError(`HTTP ${response.status} without data from ${url}`, `HTTP_${response.status}`, response.status >= 500);
    return body.data;
  }

  async function request<TResult, TVariables>(
    document: DocumentTypeDecoration<TResult, TVariables>,
    variables: TVariables,
    options: RequestOptions = {},
  ): Promise<TResult> {
    const query = document.toString();
    for (let attempt = 0; ; attempt++) {
      try {
        return await once<TResult>(query, variables);
      } catch (error) {
        const retry = error instanceof SyncwatchError && error.transient && attempt < (options.retries ?? 0);
        if (!retry) throw error;
        await sleep(Math.min(250 * 2 ** attempt, 5_000));
      }
    }
  }

  return { request };
}
