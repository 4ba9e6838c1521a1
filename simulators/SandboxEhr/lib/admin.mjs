// Admin endpoints under /$admin/ (not FHIR; for tests and demos, ../README.md "Admin endpoints"), and the request
// counters GET /$admin/stats reports. They answer plain JSON and are never faulted, delayed or refused.
import { addRefusal, clearFaults, injectFaults, refusedCount, setAnswers, setDelay } from './faults.mjs';
import { readBody, sendJson } from './http.mjs';
import { beginOutage } from './listener.mjs';
import { medplumState, resetMedplum, setMedplum } from './medplum.mjs';
import { repo, serialized } from './store.mjs';
import { clearWriteFaults, setBundleLimit, setForbid, setHang, setPeriodic, setPoison } from './writefaults.mjs';

// FHIR requests only: by HTTP status when answered, `aborted` when the connection went before the answer did.
const stats = { byStatus: {}, aborted: 0, total: 0 };

export function countFhirResponse(res) {
  if (res.writableFinished) {
    stats.total++;
    stats.byStatus[res.statusCode] = (stats.byStatus[res.statusCode] ?? 0) + 1;
  } else {
    stats.aborted++;
  }
}

export async function handleAdmin(req, res, url, { maxBodyBytes, startedAt }) {
  const action = url.pathname.slice('/$admin/'.length);
  if (action === 'stats' && req.method === 'GET') {
    return sendJson(res, 200, {
      requests: stats.total,
      byStatus: stats.byStatus,
      aborted: stats.aborted,
      refused: refusedCount(),
      resources: await serialized(async () => repo.countByType()),
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    });
  }
  if (action === 'medplum' && req.method === 'GET') {
    return sendJson(res, 200, medplumState());
  }
  if (req.method !== 'POST') {
    return sendJson(res, 405, { error: `use POST /$admin/${action}` });
  }
  await readBody(req, maxBodyBytes);
  switch (action) {
    case 'reset':
      await serialized(async () => {
        repo.clear();
        stats.byStatus = {};
        stats.aborted = 0;
        stats.total = 0;
        clearFaults();
        clearWriteFaults();
        resetMedplum();
      });
      return sendJson(res, 200, { reset: true });
    case 'outage': {
      const seconds = Number(url.searchParams.get('seconds'));
      if (!(seconds > 0 && seconds <= 3600)) {
        return sendJson(res, 400, { error: 'seconds must be > 0 and <= 3600' });
      }
      beginOutage(req, res, seconds);
      return undefined;
    }
    case 'faults':
      return sendJson(res, ...(url.searchParams.has('every') ? setPeriodic(url.searchParams) : injectFaults(url.searchParams)));
    case 'hang':
      return sendJson(res, ...setHang(url.searchParams));
    case 'poison':
      return sendJson(res, ...setPoison(url.searchParams));
    case 'forbid':
      return sendJson(res, ...setForbid(url.searchParams));
    case 'bundle-limit':
      return sendJson(res, ...setBundleLimit(url.searchParams));
    case 'medplum':
      return sendJson(res, ...setMedplum(url.searchParams));
    case 'refuse':
      return sendJson(res, ...addRefusal(url.searchParams));
    case 'delay':
      return sendJson(res, ...setDelay(url.searchParams));
    case 'answers':
      return sendJson(res, ...setAnswers(url.searchParams));
    default:
      return sendJson(res, 404, { error: `unknown admin action '${action}'` });
  }
}
