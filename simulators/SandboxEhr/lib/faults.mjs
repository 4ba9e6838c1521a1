// The EHR behaviours the admin endpoints switch on, so tests can drive a gateway through them: injected error
// statuses (429 and 503 with Retry-After, RFC 9110 10.2.3), a delay before every FHIR request, and content rules that
// refuse valid resources, as an EHR's own business rules do (an unmapped code, a device it does not know).
// (Outages, the other switchable fault, close the listener: listener.mjs.)
import { outcome, send } from './http.mjs';

const injected = { status: 0, remaining: 0, retryAfter: undefined };
let delayMs = 0;
const refusals = [];
let refused = 0;

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

/** $admin/reset: no pending faults, no delay, no refusal rules. */
export function clearFaults() {
  injected.remaining = 0;
  delayMs = 0;
  refusals.length = 0;
  refused = 0;
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

/** POST /$admin/delay?ms=N */
export function setDelay(params) {
  const ms = Number(params.get('ms') ?? 0);
  if (!(ms >= 0 && ms <= 120000)) {
    return [400, { error: 'ms must be 0-120000' }];
  }
  delayMs = ms;
  return [200, { delayMs }];
}
