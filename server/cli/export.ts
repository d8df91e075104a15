// `syncwatch export`: asks for an export job, waits until it is READY, then streams the signed CSV link to stdout or
// a file (written beside it and renamed when complete), with a progress bar on stderr when that is a terminal.
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { GraphQLHttpClient } from '../sdk/graphql-client.js';
import { CliError, EXIT } from './errors.js';
import { type CliExportJobFragment, ExportJobDocument } from './generated/graphql.js';
import { note } from './output.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function untilReady(http: GraphQLHttpClient, job: CliExportJobFragment): Promise<CliExportJobFragment> {
  let current = job;
  for (let wait = 100; current.status !== 'READY'; wait = Math.min(wait * 2, 2_000)) {
    if (current.status === 'FAILED') throw new CliError(`export ${current.id} failed on the server`, EXIT.ERROR, 'EXPORT_FAILED');
    await sleep(wait);
    const { exportJob } = await http.request(ExportJobDocument, { id: current.id }, { retries: 3 });
    if (!exportJob) throw new CliError(`export ${current.id} is gone (expired)`, EXIT.ERROR, 'NOT_FOUND');
    current = exportJob;
  }
  return current;
}

function progressBar(total: number | null) {
  const on = Boolean(process.stderr.isTTY);
  let rows = 0;
  let drawn = 0;
  const draw = () => {
    const width = Math.max(10, Math.min(40, (process.stderr.columns ?? 80) - 40));
    const share = total ? Math.min(1, rows / total) : 0;
    const filled = Math.round(share * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${rows}/${total ?? '?'} rows`);
  };
  return {
    add(chunk: Buffer) {
      for (const byte of chunk) if (byte === 10) rows++;
      if (on && Date.now() - drawn > 100) {
        drawn = Date.now();
        draw();
      }
    },
    end() {
      if (on) {
        rows = Math.max(0, rows - 1); // the header line
        draw();
        process.stderr.write('\n');
      }
    },
  };
}

export async function download(
  http: GraphQLHttpClient,
  baseUrl: string,
  job: CliExportJobFragment,
  outputFile: string | undefined,
): Promise<CliExportJobFragment> {
  const ready = await untilReady(http, job);
  if (!ready.downloadUrl) throw new CliError(`export ${ready.id} has no download link (expired)`, EXIT.ERROR, 'EXPIRED');
  const link = new URL(ready.downloadUrl, `${baseUrl}/`).toString();
  const response = await fetch(link).catch((error: Error) => {
    throw new CliError(
      `download failed: ${error.message}; the link works until ${ready.expiresAt}: run the command again`,
      EXIT.ERROR,
      'NETWORK',
    );
  });
  if (!response.ok || !response.body)
    throw new CliError(
      `download refused with HTTP ${response.status}; the export is kept until ${ready.expiresAt}: run the command again`,
      EXIT.ERROR,
      `HTTP_${response.status}`,
    );
  // The rows of this very file, counted by the server in the snapshot it streams (the job's count may be older).
  const fileRows = response.headers.has('x-row-count') ? Number(response.headers.get('x-row-count')) : (ready.rowCount ?? null);
  const bar = progressBar(fileRows);
  const partial = outputFile ? `${outputFile}.partial` : null;
  const sink = partial ? createWriteStream(partial) : process.stdout;
  try {
    await pipeline(
      Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      async function* (source: AsyncIterable<Buffer | string>) {
        for await (const chunk of source) {
          bar.add(Buffer.from(chunk));
          yield chunk;
        }
      },
      sink,
      { end: Boolean(partial) },
    );
  } catch (error) {
    if (partial) rmSync(partial, { force: true });
    throw new CliError(
      `download cut short (${(error as Error).message}): ${partial ? 'no file was written' : 'what was printed is incomplete'}; ` +
        `the export stays ready until ${ready.expiresAt}: run the same command again`,
      EXIT.ERROR,
      'DOWNLOAD_INTERRUPTED',
    );
  }
  bar.end();
  if (partial && outputFile) renameSync(partial, outputFile);
  note(`exported ${fileRows ?? '?'} rows${outputFile ? ` to ${outputFile}` : ''}`);
  return ready;
}
