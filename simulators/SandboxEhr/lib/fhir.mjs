// One FHIR request under [base] = /fhir/R4: Medplum's router does the interaction (R4 RESTful API: read, vread,
// update, patch, delete, history, create, search, batch/transaction, conditional create) against the store; around it
// this adds what a real server's answers have and the router leaves out, plus the switchable faults.
import { getStatus } from '@medplum/core';
import { FhirRouter } from '@medplum/fhir-router';
import { capabilityStatementFor } from './capability.mjs';
import { rewriteWriteAnswer, sendInjectedFault, sendInterceptedWrite, sendRefusal, withholdEntry } from './faults.mjs';
import { HttpError, fhirPath, fullUrlOf, outcome, parseJsonBody, resourceHeaders, send } from './http.mjs';
import { checkIsolation, sendQuotaRefusal, writesOf } from './medplum.mjs';
import { repo, serialized } from './store.mjs';
import { completeBundleResponse, runTransaction } from './transaction.mjs';
import { sendContentFault, sendWriteFault } from './writefaults.mjs';

// Real servers page: default and maximum page sizes as Medplum's server has them.
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 1000;

const router = new FhirRouter();

export async function handleFhir(req, res, url, { baseUrl, maxBodyBytes, startedAt }) {
  const relPath = fhirPath(url).replace(/\/+$/, '');
  const method = req.method;

  if ((await sendInjectedFault(res)) || sendWriteFault(res, method)) {
    return;
  }

  if (method === 'GET' && relPath === 'metadata') {
    return send(res, 200, capabilityStatementFor(baseUrl, startedAt));
  }

  let body;
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
    body = await parseJsonBody(req, maxBodyBytes);
    if (body === undefined) {
      throw new HttpError(400, outcome('error', 'required', 'Request body is empty'));
    }
  }
  if (await sendContentFault(res, method, body)) {
    return;
  }
  // Medplum refuses a transaction it cannot isolate before running it, so that costs no quota.
  checkIsolation(body);
  if (sendQuotaRefusal(req, res, writesOf(method, relPath, body))) {
    return;
  }

  if (method === 'POST' && sendRefusal(res, body, relPath)) {
    return;
  }
  if (sendInterceptedWrite(res, method)) {
    return;
  }

  const query = new URLSearchParams(url.search);
  const route = router.find(method, relPath);
  const interaction = route?.data?.interaction;
  const isSearch = method === 'GET' && (interaction === 'search-type' || interaction === 'search-system');
  if (isSearch && query.get('_summary') !== 'count') {
    const requested = Number(query.get('_count') ?? DEFAULT_PAGE_SIZE);
    query.set('_count', String(Number.isFinite(requested) ? Math.min(Math.max(requested, 0), MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE));
  }
  const search = query.toString();
  const fhirRequest = {
    method,
    url: relPath + (search ? `?${search}` : ''),
    pathname: '',
    body,
    params: {},
    query: {},
    headers: req.headers,
    config: {},
  };

  const isTransaction = method === 'POST' && relPath === '' && body?.resourceType === 'Bundle' && body.type === 'transaction';
  const withheld = isTransaction ? withholdEntry(body) : -1;
  const handle = () => router.handleRequest(fhirRequest, repo);
  const [result, resource] = await serialized(async () => (isTransaction ? runTransaction(handle) : handle()));

  const status = getStatus(result);
  if (status >= 400 || !resource) {
    return send(res, status, result);
  }

  if (resource.resourceType === 'Bundle' && resource.type === 'searchset' && isSearch) {
    decorateSearchset(resource, baseUrl, relPath, query);
  }
  if (resource.resourceType === 'Bundle' && (resource.type === 'transaction-response' || resource.type === 'batch-response')) {
    completeBundleResponse(resource, baseUrl);
  }
  const rewritten = rewriteWriteAnswer(method, resource, withheld);
  if (rewritten) {
    return send(res, ...rewritten);
  }

  // R4 RESTful API, "create"/"update": Location on a create or update; Prefer: return=minimal|OperationOutcome
  // chooses the body of a write's answer.
  const isWrite = method === 'POST' && interaction === 'create';
  const isResource = resource.resourceType !== 'Bundle' || !(relPath === '' || isSearch);
  const headers = isResource ? resourceHeaders(baseUrl, resource, isWrite || method === 'PUT') : {};
  if (isWrite || method === 'PUT' || method === 'PATCH') {
    const prefer = String(req.headers.prefer ?? '');
    if (/return=minimal/.test(prefer)) {
      return send(res, status, undefined, headers);
    }
    if (/return=OperationOutcome/i.test(prefer)) {
      return send(res, status, result, headers);
    }
  }
  return send(res, status, resource, headers);
}

/** Adds what a real server's searchset has and MemoryRepository leaves out: fullUrl and paging links. */
function decorateSearchset(bundle, baseUrl, relPath, query) {
  for (const entry of bundle.entry ?? []) {
    if (entry.resource?.id) {
      entry.fullUrl = fullUrlOf(baseUrl, entry.resource);
    }
  }
  const count = Number(query.get('_count') ?? DEFAULT_PAGE_SIZE);
  const offset = Number(query.get('_offset') ?? 0);
  const pageUrl = (newOffset) => {
    const q = new URLSearchParams(query);
    q.set('_offset', String(newOffset));
    return `${baseUrl}/${relPath}?${q.toString()}`;
  };
  const links = [{ relation: 'self', url: `${baseUrl}/${relPath}${query.size > 0 ? '?' + query.toString() : ''}` }];
  if (query.get('_summary') !== 'count' && count > 0 && bundle.total !== undefined) {
    links.push({ relation: 'first', url: pageUrl(0) });
    if (offset > 0) {
      links.push({ relation: 'previous', url: pageUrl(Math.max(0, offset - count)) });
    }
    if (offset + count < bundle.total) {
      links.push({ relation: 'next', url: pageUrl(offset + count) });
    }
  }
  bundle.link = links;
}
