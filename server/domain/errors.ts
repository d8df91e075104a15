// Errors a caller can act on. The GraphQL layer turns `code` into `extensions.code`.

export type ErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'CONFLICT' | 'SERVICE_UNAVAILABLE';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const badInput = (message: string, details?: Record<string, unknown>) => new AppError('BAD_USER_INPUT', message, details);
/** `id` is cut to 1,000 characters: an error never repeats a forged megabyte. */
export const notFound = (what: string, id: string) =>
  new AppError('NOT_FOUND', `${what} ${id.length > 1_000 ? `${id.slice(0, 1_000)}…` : id} does not exist`);
export const conflict = (message: string, details?: Record<string, unknown>) => new AppError('CONFLICT', message, details);
export const forbidden = (message: string) => new AppError('FORBIDDEN', message);
export const unauthenticated = (message: string) => new AppError('UNAUTHENTICATED', message);
/** This instance cannot finish the request now (it is shutting down); the same request again, to any instance, may. */
export const unavailable = (message: string, details?: Record<string, unknown>) =>
  new AppError('SERVICE_UNAVAILABLE', message, { ...details, retryable: true });
