// Follows one subscription and never lets a close lose or double an event: each event's cursor is kept, and after
// any close (a slow-reader 4460, a server restart's 1001, a dropped network) it subscribes again with
// `since: <last cursor>`, so the server first replays what was missed. An expired cursor asks the page to reload.
import type { TypedDocumentNode } from '@apollo/client';
import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import { print } from 'graphql';
import { onScopeDispose, ref, watch } from 'vue';
import { REFUSED_CLOSE_CODES } from '../graphql/live';
import { reconnectDelay } from '../support/live-list';
import { useSession } from './useApolloClient';

export interface LiveHandlers<TData> {
  /** One event, in order. */
  next(data: TData): void;
  /** The last cursor is no longer retained, or none was ever received before a drop: reload what is shown. */
  expired?(): void;
}

function isExpired(errors: readonly GraphQLFormattedError[]): boolean {
  return errors.some((e) => e.extensions?.reason === 'EVENTS_EXPIRED');
}

/**
 * Subscribes while `variables()` returns variables (null: not now); new variables restart from now.
 * `cursorOf` reads an event's cursor.
 */
export function useLiveSubscription<TData, TVariables extends { since?: string | null }>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: () => Omit<TVariables, 'since'> | null,
  cursorOf: (data: TData) => string,
  handlers: LiveHandlers<TData>,
) {
  const { live } = useSession();
  const query = print(document);
  const error = ref<string | null>(null);
  let cursor: string | null = null;
  let attempt = 0;
  let dispose: (() => void) | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let following = false;
  let generation = 0;
  /** The stream dropped before any event gave a cursor: what happened meanwhile can only be read again. */
  let resync = false;

  function setFollowing(on: boolean) {
    if (on === following) return;
    following = on;
    live.followers.value += on ? 1 : -1;
    if (!on && live.followers.value === 0 && live.state.value === 'reconnecting') live.state.value = 'idle';
  }

  function stop() {
    generation += 1;
    if (timer) clearTimeout(timer);
    timer = null;
    dispose?.();
    dispose = null;
    setFollowing(false);
  }

  function retryLater() {
    if (cursor === null) resync = true;
    const mine = generation;
    timer = setTimeout(() => {
      if (mine === generation) start(false);
    }, reconnectDelay(attempt++));
  }

  function start(fresh: boolean) {
    const vars = variables();
    stop();
    if (!vars) return;
    if (fresh) {
      cursor = null;
      resync = false;
    }
    const mine = generation;
    setFollowing(true);
    if (resync && !fresh) {
      // Subscribed first, then the page reloads: a change in between arrives live and is applied to the reload.
      resync = false;
      const reload = () => setTimeout(() => mine === generation && handlers.expired?.(), 100);
      if (live.state.value === 'live') reload();
      else {
        const off = live.client.on('connected', () => {
          off();
          reload();
        });
      }
    }
    dispose = live.client.subscribe<TData>(
      { query, variables: { ...vars, since: cursor } as Record<string, unknown> },
      {
        next(result: FormattedExecutionResult<TData>) {
          if (mine !== generation) return;
          if (result.errors?.length) {
            if (isExpired(result.errors)) return onExpired();
            error.value = result.errors.map((e) => e.message).join('; ');
            return;
          }
          if (!result.data) return;
          attempt = 0;
          error.value = null;
          cursor = cursorOf(result.data);
          handlers.next(result.data);
        },
        error(reason: unknown) {
          if (mine !== generation) return;
          dispose = null;
          if (Array.isArray(reason) && isExpired(reason)) return onExpired();
          const code = (reason as { code?: number } | null)?.code;
          if (code !== undefined && REFUSED_CLOSE_CODES.includes(code)) {
            error.value = 'Live updates were refused for this key.';
            setFollowing(false);
            return;
          }
          retryLater();
        },
        complete() {
          // The server ended the stream (it only does so when closing): follow again from the last cursor.
          if (mine !== generation) return;
          dispose = null;
          retryLater();
        },
      },
    );
  }

  function onExpired() {
    cursor = null;
    handlers.expired?.();
    start(true);
  }

  watch(variables, () => start(true), { deep: true, immediate: true });
  onScopeDispose(stop);

  return {
    error,
    /** Restart from now (after the page reloaded its data). */
    restart: () => start(true),
  };
}
