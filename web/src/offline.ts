// Public reads kept on the device after each download — /lapor's categories and region tree, the kelurahan
// boundaries of every map — so that the report form opens, and names the kelurahan under the pin, without
// a connection. (The service worker keeps no personal API answer; these never are.)
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
