// The node:http host: where every request enters. It routes to the admin endpoints, SMART discovery and the FHIR
// handler, counts and logs FHIR requests, and answers any error as an OperationOutcome.
import { getStatus, normalizeOperationOutcome } from '@medplum/core';
import { countFhirResponse, handleAdmin } from './admin.mjs';
import { checkBearer, smartConfiguration } from './auth.mjs';
import { handleFhir } from './fhir.mjs';
import { FHIR_PREFIX, HttpError, outcome, send, sendJson } from './http.mjs';
import { createListener, listen, listeningPort, shutdown } from './listener.mjs';
import { log } from './log.mjs';

/**
 * Starts the server as server.mjs's options say: { host, port, logRequests, exitOnStdinClose, maxBodyBytes,
 * introspectionUrl, smartTokenEndpoint, startedAt }. Prints the ready line on stdout once it listens.
 */
export function startHost(config) {
  createListener((req, res) => handleRequest(req, res, config), config);
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  if (config.exitOnStdinClose) {
    // The test fixture keeps stdin open; if the test host dies, stdin closes and the sandbox goes with it.
    process.stdin.on('end', () => shutdown('stdin closed'));
    process.stdin.on('error', () => shutdown('stdin closed'));
    process.stdin.resume();
  }
  listen(() => {
    process.stdout.write(`sandbox-ehr listening on http://${config.host}:${listeningPort()}${FHIR_PREFIX}\n`);
  });
}

async function handleRequest(req, res, config) {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const isAdmin = url.pathname.startsWith('/$admin/') || url.pathname.startsWith('/%24admin/');
  if (isAdmin) {
    url.pathname = url.pathname.replace('/%24admin/', '/$admin/');
  } else {
    res.once('close', () => {
      countFhirResponse(res);
      if (config.logRequests || res.statusCode >= 400) {
        log(`${req.method} ${req.url} -> ${res.writableFinished ? res.statusCode : 'aborted'}`);
      }
    });
  }
  try {
    if (isAdmin) {
      await handleAdmin(req, res, url, config);
    } else if (url.pathname === FHIR_PREFIX || url.pathname.startsWith(FHIR_PREFIX + '/')) {
      if (config.introspectionUrl && !(await checkBearer(req, res, url, config.introspectionUrl))) {
        return;
      }
      if (config.smartTokenEndpoint && req.method === 'GET' && url.pathname === `${FHIR_PREFIX}/.well-known/smart-configuration`) {
        return sendJson(res, 200, smartConfiguration(config.smartTokenEndpoint));
      }
      // The base URL clients used (their Host header), for Location, fullUrl and paging links.
      const baseUrl = `http://${req.headers.host || `${config.host}:${listeningPort()}`}${FHIR_PREFIX}`;
      await handleFhir(req, res, url, { ...config, baseUrl });
    } else {
      send(res, 404, outcome('error', 'not-found', `Not found: ${url.pathname} (the FHIR base is ${FHIR_PREFIX})`));
    }
  } catch (err) {
    if (res.headersSent || res.destroyed) {
      return;
    }
    if (err instanceof HttpError) {
      send(res, err.status, err.body);
    } else {
      const oo = normalizeOperationOutcome(err);
      const status = getStatus(oo);
      if (status >= 500) {
        log(`error: ${err?.stack ?? err}`);
      }
      send(res, status >= 400 ? status : 500, oo);
    }
  }
}
