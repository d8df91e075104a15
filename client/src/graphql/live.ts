// The WebSocket side of a session: one graphql-ws client for the key, and the state the live indicator shows.
// graphql-ws's own retry would resubscribe with the first variables (and so the first `since`); we retry
// ourselves in useLiveSubscription, with the last cursor, so a close of any kind loses and doubles nothing.
import { type Client, createClient } from 'graphql-ws';
import { type Ref, ref } from 'vue';
import { CLOSE } from '../../../server/sdk/close-codes';

/** live: socket open; connecting: first connection; reconnecting: lost, retrying; idle: nothing to follow here; refused: the key may not subscribe. */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'idle' | 'refused';

/** Close codes that refuse the key itself (docs/api.md, Live updates): retrying cannot help. */
export const REFUSED_CLOSE_CODES: readonly number[] = [CLOSE.UNAUTHORIZED.code, CLOSE.REVOKED.code, CLOSE.FORBIDDEN.code];

export interface LiveConnection {
  client: Client;
  state: Ref<LiveState>;
  /** Subscriptions that want the socket (following or waiting to resubscribe). */
  followers: Ref<number>;
  /** The socket closed this many times while followed: shown in the indicator's tooltip. */
  drops: Ref<number>;
  dispose(): void;
}

export function createLiveConnection(apiKey: string, origin: string = window.location.origin): LiveConnection {
  const state = ref<LiveState>('idle');
  const followers = ref(0);
  const drops = ref(0);
  let everConnected = false;
  const client = createClient({
    url: `${origin.replace(/^http/, 'ws')}/graphql`,
    connectionParams: { authorization: `Bearer ${apiKey}` },
    lazy: true,
    // Moving between pages swaps subscriptions: keep the socket open across the swap.
    lazyCloseTimeout: 3_000,
    retryAttempts: 0,
    // A dead peer without a close frame (a pulled cable) is found by the pings.
    keepAlive: 15_000,
    on: {
      connecting: () => {
        state.value = everConnected ? 'reconnecting' : 'connecting';
      },
      connected: () => {
        everConnected = true;
        state.value = 'live';
      },
      closed: (event) => {
        const code = (event as { code?: number } | undefined)?.code;
        if (code !== undefined && REFUSED_CLOSE_CODES.includes(code)) state.value = 'refused';
        else if (followers.value > 0) {
          drops.value += 1;
          state.value = 'reconnecting';
        } else state.value = 'idle';
      },
    },
  });
  return { client, state, followers, drops, dispose: () => void client.dispose() };
}
