// Faults that hit writes by what they carry or how many there were, switched on by admin endpoints (../README.md,
// "Admin endpoints"): every n-th write answered 429/503 with Retry-After (RFC 9110 10.2.3, 15.5.20; RFC 6585 4), a
// write that hangs longer than the client waits, a server error that one reading's identifier triggers, every write
// refused for the client's rights (403: a token without the write scope), and Bundles refused for their size (413,
// RFC 9110 15.5.14). They are what a gateway meets in front of a real EHR; each stays on until switched off or reset.
import { outcome, send } from './http.mjs';

const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];

const periodic = { status: 0, every: 0, retryAfter: undefined, writes: 0 };
const hang = { ms: 0, minEntries: 0 };
const poisoned = new Map(); // identifier value -> status
let forbidStatus = 0;
const bundleLimit = { entries: 0, status: 413 };

export function isWrite(method) {
  return WRITE_METHODS.includes(method);
}

/** $admin/reset: every write fault off. */
export function clearWriteFaults() {
  Object.assign(periodic, { status: 0, every: 0, retryAfter: undefined, writes: 0 });
  Object.assign(hang, { ms: 0, minEntries: 0 });
  poisoned.clear();
  forbidStatus = 0;
  Object.assign(bundleLimit, { entries: 0, status: 413 });
}

/** Before the body is read: the every-n-th fault and the 403 for every write (true when answered). */
export function sendWriteFault(res, method) {
  if (!isWrite(method)) {
    return false;
  }
  if (forbidStatus > 0) {
    send(res, forbidStatus, outcome('error', 'forbidden', `Forbidden (injected ${forbidStatus}): the client may not write here`));
    return true;
  }
  if (periodic.every > 0 && ++periodic.writes % periodic.every === 0) {
    const headers = periodic.retryAfter !== undefined ? { 'Retry-After': String(periodic.retryAfter) } : {};
    const code = periodic.status === 429 ? 'throttled' : 'transient';
    send(res, periodic.status, outcome('error', code, `Injected fault (${periodic.status}, every ${periodic.every} writes)`), headers);
    return true;
  }
  return false;
}

/** After the body is read: the hang, then the Bundle size limit and the poisoned identifiers (true when answered). */
export async function sendContentFault(res, method, body) {
  if (!isWrite(method)) {
    return false;
  }
  const entries = body?.resourceType === 'Bundle' ? (body.entry ?? []).length : 1;
  if (hang.ms > 0 && entries >= hang.minEntries) {
    // The write is handled after the wait, as a slow server does: the client that gave up finds it filed on resend.
    await new Promise((resolve) => setTimeout(resolve, hang.ms));
    if (res.destroyed) {
      return false;
    }
  }
  if (bundleLimit.entries > 0 && body?.resourceType === 'Bundle' && entries > bundleLimit.entries) {
    send(res, bundleLimit.status, outcome('error', 'too-costly', `Bundle has ${entries} entries; at most ${bundleLimit.entries} are accepted`));
    return true;
  }
  if (poisoned.size > 0) {
    const resources = body?.resourceType === 'Bundle' ? (body.entry ?? []).map((e) => e?.resource) : [body];
    for (const resource of resources) {
      if (resource?.resourceType !== 'Observation') {
        continue;
      }
      const hit = (resource.identifier ?? []).find((i) => poisoned.has(i?.value));
      if (hit) {
        send(res, poisoned.get(hit.value), outcome('error', 'exception', 'Internal server error'));
        return true;
      }
    }
  }
  return false;
}

// The admin actions below take the query parameters and return [status, JSON answer].

/** POST /$admin/faults?status=429&every=N&retryAfter=S (every=0 turns it off) */
export function setPeriodic(params) {
  const status = Number(params.get('status') ?? 503);
  const every = Number(params.get('every'));
  const retryAfter = params.get('retryAfter');
  if (!(status >= 400 && status <= 599) || !(Number.isInteger(every) && every >= 0)) {
    return [400, { error: 'status must be 400-599, every an integer >= 0' }];
  }
  Object.assign(periodic, { status, every, retryAfter: retryAfter === null ? undefined : Number(retryAfter), writes: 0 });
  return [200, { status, every, retryAfter: periodic.retryAfter ?? null }];
}

/** POST /$admin/hang?ms=N&minEntries=K */
export function setHang(params) {
  const ms = Number(params.get('ms') ?? 0);
  const minEntries = Number(params.get('minEntries') ?? 0);
  if (!(ms >= 0 && ms <= 600000) || !(Number.isInteger(minEntries) && minEntries >= 0)) {
    return [400, { error: 'ms must be 0-600000, minEntries an integer >= 0' }];
  }
  Object.assign(hang, { ms, minEntries });
  return [200, { ms, minEntries }];
}

/** POST /$admin/poison?identifier=VALUE&status=500 (status=0 takes it off) */
export function setPoison(params) {
  const identifier = params.get('identifier') ?? '';
  const status = Number(params.get('status') ?? 500);
  if (identifier === '' || !(status === 0 || (status >= 500 && status <= 599))) {
    return [400, { error: 'identifier must be given, status 500-599 (0 takes the identifier off)' }];
  }
  if (status === 0) {
    poisoned.delete(identifier);
  } else {
    poisoned.set(identifier, status);
  }
  return [200, { identifier, status, poisoned: poisoned.size }];
}

/** POST /$admin/forbid?status=403 (401, 403, 404 or 405; 0 turns it off) */
export function setForbid(params) {
  const status = Number(params.get('status') ?? 403);
  if (![0, 401, 403, 404, 405].includes(status)) {
    return [400, { error: 'status must be 401, 403, 404, 405 or 0' }];
  }
  forbidStatus = status;
  return [200, { status }];
}

/** POST /$admin/bundle-limit?entries=N&status=413 (entries=0 turns it off) */
export function setBundleLimit(params) {
  const entries = Number(params.get('entries') ?? 0);
  const status = Number(params.get('status') ?? 413);
  if (!(Number.isInteger(entries) && entries >= 0) || !(status === 413 || status === 400)) {
    return [400, { error: 'entries must be an integer >= 0, status 413 or 400' }];
  }
  Object.assign(bundleLimit, { entries, status });
  return [200, { entries, status }];
}
