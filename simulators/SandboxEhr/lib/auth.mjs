// SMART Backend Services from the resource server's side (SMART App Launch 2.x): with --require-token-introspect
// every FHIR request needs a bearer token (RFC 6750) that an RFC 7662 introspection endpoint calls active; with
// --smart-token-endpoint, .well-known/smart-configuration names the token endpoint a client discovers.
import { log } from './log.mjs';
import { fhirPath, outcome, send } from './http.mjs';

/** GET [base]/.well-known/smart-configuration (SMART App Launch 2.x, "Conformance": client_credentials, JWT auth). */
export function smartConfiguration(tokenEndpoint) {
  return {
    token_endpoint: tokenEndpoint,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
    scopes_supported: ['system/*.read', 'system/*.write'],
    capabilities: ['client-confidential-asymmetric'],
  };
}

/** True when the request may proceed; otherwise a 401 with WWW-Authenticate (RFC 6750 3) has been sent. */
export async function checkBearer(req, res, url, introspectionUrl) {
  const relPath = fhirPath(url);
  // Discovery and the CapabilityStatement are public on SMART servers: a client reads them before it has a token.
  if (req.method === 'GET' && (relPath === 'metadata' || relPath === '.well-known/smart-configuration')) {
    return true;
  }
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(String(req.headers.authorization ?? ''));
  if (!match) {
    send(res, 401, outcome('error', 'login', 'A bearer token is required'), { 'WWW-Authenticate': 'Bearer realm="sandbox-ehr"' });
    return false;
  }
  if (!(await tokenIsActive(match[1], introspectionUrl))) {
    send(res, 401, outcome('error', 'login', 'The bearer token is not active'), {
      'WWW-Authenticate': 'Bearer realm="sandbox-ehr", error="invalid_token"',
    });
    return false;
  }
  return true;
}

// Introspection answers are kept a few seconds per token, as resource servers commonly do, so a burst of requests with
// one token costs one call; a token that expires sooner is dropped from the cache at its exp.
const INTROSPECTION_CACHE_MS = 5000;
const introspected = new Map();

async function tokenIsActive(token, introspectionUrl) {
  const now = Date.now();
  const cached = introspected.get(token);
  if (cached && cached.until > now) {
    return cached.active;
  }
  let active = false;
  let exp;
  try {
    const response = await fetch(introspectionUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      signal: AbortSignal.timeout(5000),
    });
    if (response.ok) {
      const answer = await response.json();
      active = answer?.active === true;
      exp = typeof answer?.exp === 'number' ? answer.exp * 1000 : undefined;
    } else {
      log(`introspection answered HTTP ${response.status}`);
    }
  } catch (err) {
    // An unreachable introspection endpoint refuses the token (fail closed) and is not cached.
    log(`introspection failed: ${err.message}`);
    return false;
  }
  if (introspected.size > 10000) {
    introspected.clear();
  }
  introspected.set(token, { active, until: Math.min(now + INTROSPECTION_CACHE_MS, exp ?? Infinity) });
  return active;
}
