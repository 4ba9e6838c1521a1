// Transaction and batch Bundles POSTed to the base (R4 RESTful API, "batch/transaction"). Medplum's router runs the
// entries, urn:uuid: references and request.ifNoneExist included; what it leaves out is added here.
import { badRequest, isOk } from '@medplum/core';
import { fullUrlOf, location, weakETag } from './http.mjs';
import { repo } from './store.mjs';

/**
 * Runs a transaction Bundle through `handle` (the router) so that it succeeds whole or leaves nothing behind
 * (R4 3.1.0.11.2). The router runs a transaction's entries one by one (its atomic mode needs a database); the store's
 * journal undoes them if any fails, and the first failing entry's outcome becomes the answer.
 */
export async function runTransaction(handle) {
  repo.beginJournal();
  let response;
  try {
    response = await handle();
  } catch (err) {
    repo.rollbackJournal();
    throw err;
  }
  const [txOutcome, txBundle] = response;
  const failed = isOk(txOutcome)
    ? (txBundle?.entry ?? []).find((e) => !e?.response?.status?.startsWith('2'))
    : undefined;
  if (!isOk(txOutcome) || failed) {
    repo.rollbackJournal();
    if (failed) {
      const entryOutcome = failed.response?.outcome ?? badRequest('Transaction entry failed');
      return [entryOutcome];
    }
    return [txOutcome];
  }
  repo.endJournal();
  return response;
}

/**
 * Completes a transaction-response or batch-response as a real server's is: absolute `location`s, each entry's
 * `etag` and `lastModified`, and `fullUrl` (R4 Bundle, entry.response).
 */
export function completeBundleResponse(bundle, baseUrl) {
  for (const entry of bundle.entry ?? []) {
    if (entry?.response?.location && !entry.response.location.startsWith('http')) {
      const r = entry.resource;
      entry.response.location = r?.id ? location(baseUrl, r) : `${baseUrl}/${entry.response.location}`;
    }
    if (entry?.resource?.meta?.versionId) {
      entry.response.etag = weakETag(entry.resource.meta.versionId);
      entry.response.lastModified = entry.resource.meta.lastUpdated;
    }
    if (entry?.resource?.id) {
      entry.fullUrl = fullUrlOf(baseUrl, entry.resource);
    }
  }
}
