// What a failed request tells the reader, and whether the key itself was refused.
import { CombinedGraphQLErrors, type ErrorLike, ServerError } from '@apollo/client';

export function isKeyRefused(error: ErrorLike): boolean {
  if (ServerError.is(error)) return error.statusCode === 401;
  return CombinedGraphQLErrors.is(error) && error.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
}

export function errorMessage(error: ErrorLike): string {
  if (isKeyRefused(error)) return 'The API key was refused: it may be revoked or mistyped.';
  if (CombinedGraphQLErrors.is(error)) return error.errors.map((e) => e.message).join('; ');
  return error.message;
}
