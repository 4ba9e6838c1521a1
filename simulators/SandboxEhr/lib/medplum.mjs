// What a real Medplum server (5.x on PostgreSQL, its defaults) does and the in-memory router alone does not: the
// sandbox behaves like that by default, so a client tested against it copes with Medplum, and each behaviour can be
// switched off (server.mjs --medplum, $admin/medplum) for a neutral R4 server.
//   profiles   Medplum's validator misreads a slice nested in a slice (the R4 `bp` profile's
//              component:SystolicBP.code.coding:SBPCode) and refuses every blood pressure that names `bp` in
//              meta.profile: "slice 'SystolicBP' expected 1..1, found 0". Emulated by validating against the profile
//              as published (profiles.mjs); off, the sandbox validates against the equivalent repaired form.
//   isolation  A transaction with a conditional entry (create with ifNoneExist, conditional update or delete) needs
//              serializable isolation, and Medplum allows that for at most 8 entries: a larger one is refused 400
//              "Transaction requires strict isolation but has too many entries" (fhir-router BatchProcessor).
//   quota      Medplum's FHIR interaction quota: 50,000 points a minute per user or client, a write costing 100, i.e.
//              500 writes a minute. Past it: 429 with a `RateLimit` header ("fhirInteractions";r=0;t=SECONDS, the
//              IETF httpapi RateLimit header fields draft) and no Retry-After.
//   identity   GET metadata names the software as Medplum's server does (software.name and
//              implementation.description "medplum", software.version Medplum's version).
import { MEDPLUM_VERSION, badRequest, tooManyRequests } from '@medplum/core';
import { HttpError, send } from './http.mjs';

export const BEHAVIOURS = ['profiles', 'isolation', 'quota', 'identity'];

/** Medplum's limit on entries of a transaction that needs strict isolation (fhir-router, maxSerializableTransactionEntries). */
export const MAX_SERIALIZABLE_TRANSACTION_ENTRIES = 8;

/** What a write costs against the quota (Medplum FhirQuotaCost.WRITE) and the quota's window (60 s). */
const WRITE_POINTS = 100;
const QUOTA_WINDOW_MS = 60_000;

let startup = { on: new Set(BEHAVIOURS), writesPerMinute: 500 };
let state = { on: new Set(BEHAVIOURS), writesPerMinute: 500 };
// Per client (bearer token, else the peer address): { windowStart, writes }.
const windows = new Map();

/**
 * The start-up configuration: `list` is 'all', 'none' or a comma-separated subset of BEHAVIOURS; `writesPerMinute`
 * the quota. Returns an error message, or undefined.
 */
export function configureMedplum(list, writesPerMinute) {
  const on = parseList(list);
  if (!on) {
    return `--medplum must be all, none or a comma-separated list of ${BEHAVIOURS.join(', ')}; got '${list}'`;
  }
  if (!(Number.isInteger(writesPerMinute) && writesPerMinute > 0)) {
    return `--quota-per-minute must be a positive integer; got '${writesPerMinute}'`;
  }
  startup = { on, writesPerMinute };
  resetMedplum();
  return undefined;
}

function parseList(list) {
  const text = String(list ?? '').trim();
  if (text === 'all') {
    return new Set(BEHAVIOURS);
  }
  if (text === 'none' || text === '') {
    return new Set();
  }
  const names = text.split(',').map((s) => s.trim());
  return names.every((n) => BEHAVIOURS.includes(n)) ? new Set(names) : undefined;
}

/** $admin/reset: back to the start-up configuration, quota windows empty. */
export function resetMedplum() {
  state = { on: new Set(startup.on), writesPerMinute: startup.writesPerMinute };
  windows.clear();
}

export function emulates(behaviour) {
  return state.on.has(behaviour);
}

/** GET /$admin/medplum and the answer to a change. */
export function medplumState() {
  return Object.fromEntries([...BEHAVIOURS.map((b) => [b, state.on.has(b)]), ['writesPerMinute', state.writesPerMinute]]);
}

/** POST /$admin/medplum?all=on|off&profiles=on|off&isolation=on|off&quota=on|off&identity=on|off&writesPerMinute=N */
export function setMedplum(params) {
  const next = new Set(state.on);
  let writesPerMinute = state.writesPerMinute;
  for (const [key, value] of params) {
    if (key === 'writesPerMinute') {
      writesPerMinute = Number(value);
      if (!(Number.isInteger(writesPerMinute) && writesPerMinute > 0)) {
        return [400, { error: 'writesPerMinute must be a positive integer' }];
      }
      continue;
    }
    if (value !== 'on' && value !== 'off') {
      return [400, { error: `${key} must be on or off` }];
    }
    const names = key === 'all' ? BEHAVIOURS : BEHAVIOURS.includes(key) ? [key] : undefined;
    if (!names) {
      return [400, { error: `unknown behaviour '${key}'; use all, ${BEHAVIOURS.join(', ')} or writesPerMinute` }];
    }
    names.forEach((n) => (value === 'on' ? next.add(n) : next.delete(n)));
  }
  state = { on: next, writesPerMinute };
  windows.clear();
  return [200, medplumState()];
}

/** The CapabilityStatement's software and implementation: Medplum's when emulated, else the sandbox's own. */
export function softwareIdentity(baseUrl) {
  if (emulates('identity')) {
    // As Medplum's server builds them (packages/server fhir/metadata: name 'medplum', MEDPLUM_VERSION).
    return {
      software: { name: 'medplum', version: MEDPLUM_VERSION },
      implementation: { description: 'medplum', url: `${baseUrl}/` },
    };
  }
  return {
    software: { name: 'Vitals sandbox EHR', version: '1.0' },
    implementation: { description: 'In-memory FHIR R4 sandbox for tests and demos; data is lost on exit', url: baseUrl },
  };
}

/** Throws the 400 Medplum answers to a transaction needing strict isolation with more than 8 entries. */
export function checkIsolation(body) {
  if (!emulates('isolation') || body?.resourceType !== 'Bundle' || body.type !== 'transaction') {
    return;
  }
  const entries = body.entry ?? [];
  const conditional = entries.some((e) => {
    const method = e?.request?.method;
    const url = String(e?.request?.url ?? '');
    return (method === 'POST' && e.request.ifNoneExist) || ((method === 'PUT' || method === 'DELETE') && url.includes('?'));
  });
  if (conditional && entries.length > MAX_SERIALIZABLE_TRANSACTION_ENTRIES) {
    throw new HttpError(400, badRequest('Transaction requires strict isolation but has too many entries'));
  }
}

/** How many writes a request makes: one for a write interaction, one per write entry of a Bundle, else none. */
export function writesOf(method, relPath, body) {
  if (method === 'POST' && relPath === '' && body?.resourceType === 'Bundle') {
    return (body.entry ?? []).filter((e) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(e?.request?.method)).length;
  }
  return ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? 1 : 0;
}

/**
 * Counts a request's writes against its client's quota; past it, answers 429 as Medplum does (true): a RateLimit
 * header with no units left and the seconds until the window resets, no Retry-After, OperationOutcome `throttled`.
 * Under it, returns false and the caller adds the RateLimit header to its answer (rateLimitHeader).
 */
export function sendQuotaRefusal(req, res, writes) {
  if (!emulates('quota') || writes === 0) {
    return false;
  }
  const client = req.headers.authorization ?? req.socket.remoteAddress ?? 'anonymous';
  const now = Date.now();
  let window = windows.get(client);
  if (!window || now - window.windowStart >= QUOTA_WINDOW_MS) {
    window = { windowStart: now, writes: 0 };
    windows.set(client, window);
  }
  const limit = state.writesPerMinute;
  const resetSeconds = Math.max(1, Math.ceil((window.windowStart + QUOTA_WINDOW_MS - now) / 1000));
  if (window.writes + writes > limit) {
    // Medplum's limiter keeps counting while a client is over (the block lasts until the window resets).
    window.writes = Math.max(window.writes, limit);
    const oo = structuredClone(tooManyRequests);
    oo.issue[0].diagnostics = JSON.stringify({ remainingPoints: 0, msBeforeNext: resetSeconds * 1000, limit: limit * WRITE_POINTS });
    send(res, 429, oo, { RateLimit: `"fhirInteractions";r=0;t=${resetSeconds}` });
    return true;
  }
  window.writes += writes;
  res.setHeader('RateLimit', `"fhirInteractions";r=${(limit - window.writes) * WRITE_POINTS};t=${resetSeconds}`);
  return false;
}
