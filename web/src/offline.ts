// The public reads /lapor needs — the categories, the region tree, the kelurahan boundaries — kept on the
// phone after each download, so that the form opens, and names the kelurahan under the pin, without a
// connection. (The service worker caches no API answer, since most may be personal; these never are.)
import { get, set } from 'idb-keyval';
import { ApiError } from '../api';

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
