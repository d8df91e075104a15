// One outbound POST of a notification: the target resolved first and every address checked (no loopback, private,
// link-local or metadata address unless allowed), then the connection made to the address checked, so a name cannot
// resolve to another address between the check and the request. A deadline for the whole exchange; redirects are
// answers, never followed.
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPrivateAddress } from '../../domain/private-address.js';

export interface PostOptions {
  allowPrivate: boolean;
  timeoutMs: number;
}

export interface PostResult {
  statusCode: number | null;
  /** Why it did not succeed; null on a 2xx answer. */
  error: string | null;
}

/** The addresses a URL's host stands for, refused when one is private (unless allowed). */
export async function checkedAddresses(url: URL, allowPrivate: boolean): Promise<{ address: string; family: number }[]> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true, verbatim: true });
  if (addresses.length === 0) throw new Error(`${host} does not resolve`);
  if (!allowPrivate) {
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) {
      throw new Error(
        `refused: ${host} resolves to ${bad.address}, a loopback, private, link-local or metadata address (WEBHOOK_ALLOW_PRIVATE)`,
      );
    }
  }
  return addresses;
}

export async function postJson(rawUrl: string, headers: Record<string, string>, body: string, options: PostOptions): Promise<PostResult> {
  const url = new URL(rawUrl);
  let pinned: { address: string; family: number };
  try {
    [pinned] = await checkedAddresses(url, options.allowPrivate);
  } catch (error) {
    return { statusCode: null, error: (error as Error).message };
  }
  const pinnedLookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
    } else callback(null, pinned.address, pinned.family);
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = client.request(
      url,
      {
        method: 'POST',
        lookup: pinnedLookup,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'syncwatch-webhooks/1',
          ...headers,
        },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        response.resume(); // the body is not read: only the status counts
        response.on('end', () => {
          if (status >= 200 && status < 300) finish({ statusCode: status, error: null });
          else if (status >= 300 && status < 400) finish({ statusCode: status, error: `answered ${status} (a redirect; not followed)` });
          else finish({ statusCode: status, error: `answered ${status}` });
        });
        response.on('error', (error) => finish({ statusCode: status, error: error.message }));
      },
    );
    const timer = setTimeout(() => {
      finish({ statusCode: null, error: `timed out after ${options.timeoutMs / 1000} s` });
      request.destroy();
    }, options.timeoutMs);
    request.on('error', (error) => finish({ statusCode: null, error: error.message }));
    request.end(body);
  });
}
