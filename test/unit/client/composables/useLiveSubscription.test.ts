// @vitest-environment happy-dom
// The resume rule of live updates, against an in-memory stand-in for the graphql-ws client: after any close the
// subscription comes back with `since: <last cursor>`; an expired cursor or a drop before any event reloads instead.
import { mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h, ref } from 'vue';
import { provideSession } from '../../../../client/src/composables/useApolloClient.js';
import { useLiveSubscription } from '../../../../client/src/composables/useLiveSubscription.js';
import type { LiveConnection } from '../../../../client/src/graphql/live.js';
import { runUpdatedSubscription } from '../../../../client/src/graphql/operations.js';

interface Sink {
  next(value: unknown): void;
  error(reason: unknown): void;
  complete(): void;
}
interface Call {
  variables: Record<string, unknown>;
  sink: Sink;
  disposed: boolean;
}

function standIn() {
  const calls: Call[] = [];
  const listeners = new Map<string, Set<() => void>>();
  const client = {
    subscribe(payload: { variables: Record<string, unknown> }, sink: Sink) {
      const call: Call = { variables: payload.variables, sink, disposed: false };
      calls.push(call);
      return () => {
        call.disposed = true;
      };
    },
    on(event: string, listener: () => void) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)?.add(listener);
      return () => listeners.get(event)?.delete(listener);
    },
    emit(event: string) {
      for (const listener of [...(listeners.get(event) ?? [])]) listener();
    },
    dispose() {},
  };
  const live = { client, state: ref('live'), followers: ref(0), drops: ref(0), dispose() {} } as unknown as LiveConnection;
  return { calls, client, live };
}

const event = (cursor: string, id: string) => ({ data: { runUpdated: { cursor, previousStatus: null, run: { id } } } });

function follow(live: LiveConnection) {
  const seen: string[] = [];
  const expired = vi.fn();
  const Child = defineComponent({
    setup() {
      const state = useLiveSubscription(
        runUpdatedSubscription,
        () => ({ filter: { statuses: ['RUNNING' as const] } }),
        (data) => data.runUpdated.cursor,
        { next: (data) => void seen.push(data.runUpdated.run.id), expired },
      );
      return () => h('p', state.error.value ?? '');
    },
  });
  const Parent = defineComponent({
    setup() {
      provideSession({ client: {} as never, live });
      return () => h(Child);
    },
  });
  const wrapper = mount(Parent);
  return { seen, expired, wrapper };
}

describe('useLiveSubscription', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('resumes after a server restart (1001) or a slow-reader close (4460) from the last cursor', async () => {
    const { calls, live } = standIn();
    const { seen } = follow(live);
    expect(calls).toHaveLength(1);
    expect(calls[0].variables).toEqual({ filter: { statuses: ['RUNNING'] }, since: null });
    expect(live.followers.value).toBe(1);

    calls[0].sink.next(event('c1', 'run-1'));
    calls[0].sink.next(event('c2', 'run-2'));
    calls[0].sink.error({ code: 1001, reason: 'going away' });
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toHaveLength(2);
    expect(calls[1].variables.since).toBe('c2');

    calls[1].sink.next(event('c3', 'run-3'));
    calls[1].sink.error({ code: 4460, reason: 'too slow' });
    await vi.advanceTimersByTimeAsync(500);
    expect(calls[2].variables.since).toBe('c3');
    expect(seen).toEqual(['run-1', 'run-2', 'run-3']);
  });

  it('backs off while the server stays away, then resumes', async () => {
    const { calls, live } = standIn();
    follow(live);
    calls[0].sink.next(event('c1', 'run-1'));
    calls[0].sink.error({ code: 1006 });
    await vi.advanceTimersByTimeAsync(500);
    calls[1].sink.error({ code: 1006 });
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(3);
    expect(calls[2].variables.since).toBe('c1');
  });

  it('reloads and starts from now when the cursor expired', async () => {
    const { calls, live } = standIn();
    const { expired } = follow(live);
    calls[0].sink.next(event('c1', 'run-1'));
    calls[0].sink.error([{ message: 'expired', extensions: { code: 'BAD_USER_INPUT', reason: 'EVENTS_EXPIRED' } }]);
    expect(expired).toHaveBeenCalledTimes(1);
    expect(calls).toHaveLength(2);
    expect(calls[1].variables.since).toBeNull();
  });

  it('reloads after resubscribing when the stream dropped before any event gave a cursor', async () => {
    const { calls, live } = standIn();
    const { expired } = follow(live);
    calls[0].sink.error({ code: 1001 });
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toHaveLength(2);
    expect(calls[1].variables.since).toBeNull();
    await vi.advanceTimersByTimeAsync(100);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('stops for good when the key is refused (4401), and says so', async () => {
    const { calls, live } = standIn();
    const { wrapper } = follow(live);
    calls[0].sink.error({ code: 4401 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(1);
    expect(live.followers.value).toBe(0);
    await wrapper.vm.$nextTick();
    expect(wrapper.text()).toContain('refused');
  });

  it('unsubscribes when the component goes away', () => {
    const { calls, live } = standIn();
    const { wrapper } = follow(live);
    wrapper.unmount();
    expect(calls[0].disposed).toBe(true);
    expect(live.followers.value).toBe(0);
  });
});
