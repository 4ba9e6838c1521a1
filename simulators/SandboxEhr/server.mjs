#!/usr/bin/env node
// Sandbox EHR: Medplum's open-source FHIR router with its in-memory repository behind a node:http host.
// It is a real FHIR R4 server for tests and demos (docs/ehr.md, "The sandbox EHR"):
// writes are validated against base R4 and the profiles in meta.profile, conditional creates and transactions
// behave as a FHIR server's should. No authentication by default (the repository has no access policies); with
// --require-token-introspect every FHIR request needs a bearer token that an RFC 7662 introspection endpoint calls
// active, as a SMART Backend Services EHR would (SMART App Launch 2.x, Backend Services).
//
//   node server.mjs --port 8103 [--host 127.0.0.1] [--log-requests] [--exit-on-stdin-close]
//                   [--require-token-introspect URL] [--smart-token-endpoint URL]
//                   [--medplum all|none|profiles,isolation,quota,identity] [--quota-per-minute 500]
//
// By default it behaves like a real Medplum server where the in-memory router alone would not (lib/medplum.mjs): the
// `bp` profile misread, at most 8 entries in a conditional transaction, a write quota answered 429 with RateLimit,
// and Medplum's name in the CapabilityStatement. --medplum (or SANDBOX_EHR_MEDPLUM) chooses which; `none` is a
// neutral R4 server. --quota-per-minute (or SANDBOX_EHR_QUOTA_PER_MINUTE) is the quota in writes per minute.
//
// Prints one line "sandbox-ehr listening on http://HOST:PORT/fhir/R4" on stdout when ready; everything else goes
// to stderr. See ../README.md for the admin endpoints.
//
// This file reads the command line; the server is in lib/, in the order a request meets it:
//   host.mjs        node:http entry: routing, request counting and logging, errors as OperationOutcome
//   listener.mjs    the listening socket: start, $admin/outage, shutdown
//   admin.mjs       /$admin/ endpoints; faults.mjs the faults they switch on (status, delay, refusal rules)
//   auth.mjs        bearer tokens (RFC 7662 introspection) and SMART discovery
//   fhir.mjs        one FHIR interaction through Medplum's router; searchset paging; Prefer
//   transaction.mjs atomic transaction Bundles, absolute locations in batch/transaction responses
//   store.mjs       the in-memory repository: validation on write, identifier index, undo journal
//   validation.mjs  base R4 + meta.profile + the checks Medplum leaves out; profiles.mjs the profile registry
//   definitions.mjs the R4 definitions; capability.mjs GET metadata; http.mjs answers, bodies, headers
import { parseArgs } from 'node:util';

const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < 20) {
  process.stderr.write(`sandbox-ehr: Node.js >= 20 is required (this is ${process.version})\n`);
  process.exit(1);
}

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      port: { type: 'string', default: '8103' },
      host: { type: 'string', default: '127.0.0.1' },
      'log-requests': { type: 'boolean', default: false },
      'exit-on-stdin-close': { type: 'boolean', default: false },
      'max-body-mb': { type: 'string', default: '16' },
      'require-token-introspect': { type: 'string' },
      'smart-token-endpoint': { type: 'string' },
      medplum: { type: 'string', default: process.env.SANDBOX_EHR_MEDPLUM ?? 'all' },
      'quota-per-minute': { type: 'string', default: process.env.SANDBOX_EHR_QUOTA_PER_MINUTE ?? '500' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  }));
} catch (err) {
  process.stderr.write(`sandbox-ehr: ${err.message}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(
    'usage: node server.mjs [--port N (0 = any free port)] [--host 127.0.0.1] [--log-requests]\n' +
      '                       [--exit-on-stdin-close] [--max-body-mb 16]\n' +
      '                       [--require-token-introspect URL] [--smart-token-endpoint URL]\n' +
      '                       [--medplum all|none|profiles,isolation,quota,identity] [--quota-per-minute 500]\n'
  );
  process.exit(0);
}
const requestedPort = Number(options.port);
if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
  process.stderr.write(`sandbox-ehr: --port must be 0-65535, got '${options.port}'\n`);
  process.exit(2);
}
for (const name of ['require-token-introspect', 'smart-token-endpoint']) {
  if (options[name] !== undefined && !/^https?:\/\/[^\s]+$/.test(options[name])) {
    process.stderr.write(`sandbox-ehr: --${name} must be an absolute http(s) URL, got '${options[name]}'\n`);
    process.exit(2);
  }
}
const maxBodyBytes = Number(options['max-body-mb']) * 1024 * 1024;
if (!(maxBodyBytes > 0)) {
  process.stderr.write(`sandbox-ehr: --max-body-mb must be a positive number\n`);
  process.exit(2);
}

// @medplum/core reads WebSocket.CLOSING/CLOSED while loading (its subscription client). Node 22 has a global
// WebSocket; Node 20 only behind --experimental-websocket. The sandbox never opens a web socket, so on Node 20 a
// stand-in with the standard constants lets the package load without the flag. The server modules import Medplum, so
// they are loaded only now (and not at all for --help or a bad option).
if (typeof globalThis.WebSocket === 'undefined') {
  globalThis.WebSocket = class WebSocketUnavailable {
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSING = 2;
    static CLOSED = 3;
    constructor() {
      throw new Error('WebSocket is not available in the sandbox EHR');
    }
  };
}

const startedAt = Date.now();
const { configureMedplum } = await import('./lib/medplum.mjs');
const medplumError = configureMedplum(options.medplum, Number(options['quota-per-minute']));
if (medplumError) {
  process.stderr.write(`sandbox-ehr: ${medplumError}\n`);
  process.exit(2);
}
const { startHost } = await import('./lib/host.mjs');
startHost({
  host: options.host,
  port: requestedPort,
  logRequests: options['log-requests'],
  exitOnStdinClose: options['exit-on-stdin-close'],
  maxBodyBytes,
  introspectionUrl: options['require-token-introspect'],
  smartTokenEndpoint: options['smart-token-endpoint'],
  startedAt,
});
