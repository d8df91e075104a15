// One CSV export from the console: ask for it (exportRecords / exportRuns), poll the job until it is READY, then
// start the browser's download of its signed link. Shared by "Download CSV" and the failed-records downloads.
import { onBeforeUnmount, ref } from 'vue';
import { errorMessage } from '../graphql/errors';
import type { ExportJobStateFragment, RecordFilter, RunFilter } from '../graphql/generated/graphql';
import { exportJobQuery, exportRecordsMutation, exportRunsMutation } from '../graphql/health-operations';
import { useApolloClient } from './useApolloClient';

const POLL_MS = 400;
/** After the download starts, the job is read once more: the download counted the file's own rows. */
const RECOUNT_MS = 1_500;

function save(url: string) {
  const link = document.createElement('a');
  link.href = url;
  link.download = '';
  document.body.append(link);
  link.click();
  link.remove();
}

export function useExportJob() {
  const client = useApolloClient();
  const job = ref<ExportJobStateFragment | null>(null);
  const busy = ref(false);
  const failure = ref<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  onBeforeUnmount(() => {
    stopped = true;
    if (timer) clearTimeout(timer);
  });

  async function read(id: string) {
    const { data } = await client.query({ query: exportJobQuery, variables: { id }, fetchPolicy: 'network-only' });
    return data?.exportJob ?? null;
  }

  async function poll(id: string) {
    if (stopped) return;
    try {
      const next = await read(id);
      if (!next) throw new Error('The export expired before it was ready.');
      job.value = next;
      if (next.status === 'READY' && next.downloadUrl) {
        busy.value = false;
        save(next.downloadUrl);
        timer = setTimeout(() => void recount(id), RECOUNT_MS);
        return;
      }
      if (next.status === 'FAILED') throw new Error('The export could not be prepared.');
      timer = setTimeout(() => void poll(id), POLL_MS);
    } catch (error) {
      busy.value = false;
      failure.value = errorMessage(error as Error);
    }
  }

  /** The count the download took of the file it sent (records may have changed since the job was prepared). */
  async function recount(id: string) {
    if (stopped) return;
    const next = await read(id).catch(() => null);
    if (next && job.value?.id === id) job.value = next;
  }

  async function start(kind: 'records' | 'runs', filter: RecordFilter | RunFilter) {
    busy.value = true;
    failure.value = null;
    job.value = null;
    try {
      const started =
        kind === 'records'
          ? (await client.mutate({ mutation: exportRecordsMutation, variables: { filter: filter as RecordFilter } })).data!.exportRecords
          : (await client.mutate({ mutation: exportRunsMutation, variables: { filter: filter as RunFilter } })).data!.exportRuns;
      job.value = started;
      await poll(started.id);
    } catch (error) {
      busy.value = false;
      failure.value = errorMessage(error as Error);
    }
  }

  return { job, busy, failure, start };
}
