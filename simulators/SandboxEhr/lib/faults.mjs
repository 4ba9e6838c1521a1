// The EHR behaviours the admin endpoints switch on, so tests can drive a gateway through them: injected error
// statuses (429 and 503 with Retry-After, RFC 9110 10.2.3), a delay before every FHIR request, and content rules that
// refuse valid resources, as an EHR's own business rules do (an unmapped code, a device it does not know).
// (Outages, the other switchable fault, close the listener: listener.mjs.) And answers to writes that a 2xx status
// line dresses up but that prove nothing (R4 RESTful API, "create" and "transaction"; Bundle.entry.response): a
// single-sign-on page, an OperationOutcome, a batch-style answer with a failed entry, a transaction-response short of
// an entry. A client that counts any 2xx as delivered loses readings under them.
import { outcome, send, sendHtml } from './http.mjs';

const injected = { status: 0, remaining: 0, retryAfter: undefined };
let delayMs = 0;
const refusals = [];
let refused = 0;

// $admin/answers: '' (off), 'html', 'operation-outcome', 'batch-response' or 'drop-entry'.
const ANSWER_MODES = ['off', 'html', 'operation-outcome', 'batch-response', 'drop-entry'];
let answerMode = '';
let batchVictim;

/** Answers with the next injected fault, if one is due (true), or waits out the delay (false). */
export async function sendInjectedFault(res) {
  if (injected.remaining > 0) {
    injected.remaining--;
    const headers = injected.retryAfter !== undefined ? { 'Retry-After': String(injected.retryAfter) } : {};
    const code = injected.status === 429 ? 'throttled' : 'transient';
    send(res, injected.status, outcome('error', code, `Injected fault (${injected.status})`), headers);
    return true;
  }
  if (delayMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  return false;
}

/** Answers a POST that a refusal rule matches (true); a Bundle with any matching entry is refused whole. */
export function sendRefusal(res, body, relPath) {
  if (refusals.length === 0) {
    return false;
  }
  const refusal = findRefusal(body, relPath);
  if (!refusal) {
    return false;
  }
  refused++;
  const oo = outcome('error', 'business-rule', `Refused by rule: ${refusal.reason}`);
  oo.issue[0].expression = [refusal.type];
  send(res, refusal.status, oo);
  return true;
}

function findRefusal(body, relPath) {
  const resources =
    relPath === '' && body?.resourceType === 'Bundle' ? (body.entry ?? []).map((e) => e?.resource).filter(Boolean) : relPath === body?.resourceType ? [body] : [];
  for (const resource of resources) {
    const text = JSON.stringify(resource);
    const rule = refusals.find((r) => r.type === resource.resourceType && r.pattern.test(text));
    if (rule) {
      return rule;
    }
  }
  return undefined;
}

/** How many requests refusal rules have refused since the start or the last reset. */
export function refusedCount() {
  return refused;
}

/** $admin/reset: no pending faults, no delay, no refusal rules, answers as they are. */
export function clearFaults() {
  injected.remaining = 0;
  delayMs = 0;
  refusals.length = 0;
  refused = 0;
  answerMode = '';
  batchVictim = undefined;
}

/**
 * Answers a write with a single-sign-on page before the EHR sees it (true): mode 'html'. Nothing is stored, as when
 * a portal in front of the server intercepts the request.
 */
export function sendInterceptedWrite(res, method) {
  if (answerMode !== 'html' || method !== 'POST') {
    return false;
  }
  sendHtml(res, 200, '<!DOCTYPE html><html><head><title>Sign in</title></head><body><form method="post">Single sign-on: your session has expired.</form></body></html>');
  return true;
}

/**
 * Mode 'batch-response', before a transaction runs: takes the refused Observation entry out of the Bundle (never
 * stored) and returns its index, or -1 when the mode is off or the Bundle has none. Like an EHR's business rule, the
 * refusal is about one resource: the first Bundle's last Observation is picked, and from then on that resource (by
 * its first identifier) is the one refused, so a resent Bundle is refused for the same entry and no other.
 */
export function withholdEntry(body) {
  if (answerMode !== 'batch-response' || body?.resourceType !== 'Bundle' || body.type !== 'transaction') {
    return -1;
  }
  const entries = body.entry ?? [];
  const identity = (entry) => JSON.stringify(entry?.resource?.identifier?.[0] ?? null);
  if (batchVictim === undefined) {
    const last = entries.findLastIndex((e) => e?.resource?.resourceType === 'Observation');
    if (last < 0) {
      return -1;
    }
    batchVictim = identity(entries[last]);
  }
  const index = entries.findIndex((e) => e?.resource?.resourceType === 'Observation' && identity(e) === batchVictim);
  if (index >= 0) {
    entries.splice(index, 1);
  }
  return index;
}

/**
 * Rewrites the 2xx answer to a write as the switched-on mode says (what was stored stays stored): 'operation-outcome'
 * answers 200 with an OperationOutcome instead of the resource or Bundle; 'batch-response' turns a
 * transaction-response into a batch-response with a 422 entry where withholdEntry took one out; 'drop-entry' leaves
 * the last entry out of a transaction-response. Returns [status, body] to send, or undefined to answer as usual.
 */
export function rewriteWriteAnswer(method, resource, withheld) {
  if (method !== 'POST' || answerMode === '' || answerMode === 'html') {
    return undefined;
  }
  if (answerMode === 'operation-outcome') {
    return [200, outcome('information', 'informational', 'Request processed')];
  }
  if (resource?.resourceType !== 'Bundle' || resource.type !== 'transaction-response') {
    return undefined;
  }
  if (answerMode === 'batch-response') {
    // Run one by one, as a batch is (R4 3.1.0.11.1), and answered as one, whether or not an entry was refused.
    const refusedOutcome = outcome('error', 'business-rule', 'Refused by rule: batch entry');
    refusedOutcome.issue[0].expression = ['Observation'];
    resource.type = 'batch-response';
    resource.entry = resource.entry ?? [];
    if (withheld >= 0) {
      resource.entry.splice(withheld, 0, { response: { status: '422 Unprocessable Entity', outcome: refusedOutcome } });
    }
    return [200, resource];
  }
  if (answerMode === 'drop-entry' && (resource.entry ?? []).length > 0) {
    resource.entry.pop();
    return [200, resource];
  }
  return undefined;
}

// The admin actions below take the query parameters and return [status, JSON answer].

/** POST /$admin/faults?status=503&count=N&retryAfter=S */
export function injectFaults(params) {
  const status = Number(params.get('status') ?? 503);
  const count = Number(params.get('count') ?? 1);
  const retryAfter = params.get('retryAfter');
  if (!(status >= 400 && status <= 599) || !(Number.isInteger(count) && count >= 0)) {
    return [400, { error: 'status must be 400-599, count an integer >= 0' }];
  }
  injected.status = status;
  injected.remaining = count;
  injected.retryAfter = retryAfter === null ? undefined : Number(retryAfter);
  return [200, { status, count, retryAfter: injected.retryAfter ?? null }];
}

/** POST /$admin/refuse?type=Observation&match=REGEX&reason=TEXT&status=422 */
export function addRefusal(params) {
  const type = params.get('type') ?? '';
  const match = params.get('match') ?? '';
  const status = Number(params.get('status') ?? 422);
  const reason = params.get('reason') ?? `${type} matches ${match}`;
  let pattern;
  try {
    pattern = new RegExp(match);
  } catch (err) {
    return [400, { error: `match is not a regular expression: ${err.message}` }];
  }
  if (!/^[A-Z][A-Za-z]+$/.test(type) || match === '' || !(status >= 400 && status <= 499)) {
    return [400, { error: 'type must be a resource type, match a non-empty regular expression, status 400-499' }];
  }
  refusals.push({ type, pattern, status, reason });
  return [200, { type, match, status, reason, rules: refusals.length }];
}

/** POST /$admin/answers?mode=html|operation-outcome|batch-response|drop-entry|off */
export function setAnswers(params) {
  const mode = params.get('mode') ?? '';
  if (!ANSWER_MODES.includes(mode)) {
    return [400, { error: `mode must be one of ${ANSWER_MODES.join(', ')}` }];
  }
  answerMode = mode === 'off' ? '' : mode;
  batchVictim = undefined;
  return [200, { mode }];
}

/** POST /$admin/delay?ms=N */
export function setDelay(params) {
  const ms = Number(params.get('ms') ?? 0);
  if (!(ms >= 0 && ms <= 120000)) {
    return [400, { error: 'ms must be 0-120000' }];
  }
  delayMs = ms;
  return [200, { delayMs }];
}
