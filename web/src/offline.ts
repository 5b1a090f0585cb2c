// Public reads kept on the device after each download — /lapor's categories and region tree, the kelurahan
// boundaries of every map — so that the report form opens, and names the kelurahan under the pin, without
// a connection, and a later visit draws the maps at once. (The service worker keeps no API answer: most
// are personal; these never are.)
import { get, set } from 'idb-keyval';
import { ApiError } from './api';

const PREFIX = 'satukota:offline:';

/** A network failure, as the API client reports it or as fetch() throws it; not an error answer. */
function isNetworkFailure(e: unknown): boolean {
  return (e instanceof ApiError && e.status === 0) || e instanceof TypeError;
}

/** `download()`'s answer, kept for next time; when the network fails, the answer kept last time. */
export async function withOfflineCopy<T>(key: string, download: () => Promise<T>): Promise<T> {
  try {
    const fresh = await download();
    void set(PREFIX + key, fresh).catch(() => undefined); // private mode without IndexedDB: nothing kept
    return fresh;
  } catch (e) {
    if (!isNetworkFailure(e)) throw e;
    const kept = await get<T>(PREFIX + key).catch(() => undefined);
    if (kept === undefined) throw e;
    return kept;
  }
}

/**
 * The answer kept last time at once, while `download()` fetches a fresh one for next time; without a kept
 * answer, the download (kept too). For public data that changes rarely and is large on a slow connection
 * (the boundaries): a later visit needs no round trip for it, and the refresh is mostly a 304.
 */
export async function keptCopyFirst<T>(key: string, download: () => Promise<T>): Promise<T> {
  const kept = await get<T>(PREFIX + key).catch(() => undefined);
  const fresh = download().then((value) => {
    void set(PREFIX + key, value).catch(() => undefined);
    return value;
  });
  if (kept === undefined) return fresh;
  fresh.catch(() => undefined); // offline or refused: the kept copy stays
  return kept;
}
