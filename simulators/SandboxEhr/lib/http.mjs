// HTTP plumbing shared by the FHIR, SMART and admin endpoints: answers, request bodies, and the headers and URLs the
// FHIR R4 RESTful API puts on a resource (ETag, Last-Modified, Location, fullUrl).
export const FHIR_PREFIX = '/fhir/R4';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** The path below the FHIR base, without leading slashes: "Observation/1", "metadata", "" for the base itself. */
export function fhirPath(url) {
  return url.pathname.slice(FHIR_PREFIX.length).replace(/^\/+/, '');
}

function writeText(res, status, contentType, text, headers = {}) {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A page that is not FHIR: what a proxy or single-sign-on portal in front of an EHR answers. */
export function sendHtml(res, status, html) {
  writeText(res, status, 'text/html; charset=utf-8', html);
}

/** A FHIR answer: the resource as application/fhir+json, or no body (Prefer: return=minimal). */
export function send(res, status, body, headers = {}) {
  if (body === undefined) {
    writeText(res, status, 'text/plain', '', headers);
  } else {
    writeText(res, status, FHIR_JSON, JSON.stringify(body), headers);
  }
}

/** A non-FHIR answer (admin endpoints, SMART configuration): indented JSON for people reading it with curl. */
export function sendJson(res, status, body) {
  writeText(res, status, 'application/json; charset=utf-8', JSON.stringify(body, null, 2) + '\n');
}

export function outcome(severity, code, text) {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, details: { text } }] };
}

/** An error answered as it is: that status, that OperationOutcome. */
export class HttpError extends Error {
  constructor(status, body) {
    super(body.issue?.[0]?.details?.text ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export function readBody(req, maxBodyBytes) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped, so that the client still gets its 413.
      if (size <= maxBodyBytes) {
        chunks.push(chunk);
      }
    });
    req.on('end', () => {
      if (size > maxBodyBytes) {
        reject(new HttpError(413, outcome('error', 'too-long', `Request body larger than ${maxBodyBytes} bytes`)));
      } else {
        resolve(Buffer.concat(chunks).toString('utf8'));
      }
    });
    req.on('error', reject);
  });
}

/** The parsed JSON body, or undefined when there is none; 415 for a non-JSON Content-Type, 400 for bad JSON. */
export async function parseJsonBody(req, maxBodyBytes) {
  const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const text = await readBody(req, maxBodyBytes);
  if (text.length === 0) {
    return undefined;
  }
  if (contentType !== '' && !contentType.endsWith('json')) {
    throw new HttpError(415, outcome('error', 'not-supported', `Unsupported Content-Type '${contentType}': send application/fhir+json`));
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, outcome('error', 'structure', `Request body is not valid JSON: ${err.message}`));
  }
}

/** The version-specific URL of a stored resource (R4 RESTful API, "create": Location names the new version). */
export function location(baseUrl, resource) {
  const versionId = resource.meta?.versionId;
  return `${baseUrl}/${resource.resourceType}/${resource.id}${versionId ? `/_history/${versionId}` : ''}`;
}

/** A Bundle entry's fullUrl: the resource's absolute URL without a version. */
export function fullUrlOf(baseUrl, resource) {
  return `${baseUrl}/${resource.resourceType}/${resource.id}`;
}

// R4 RESTful API, "Managing Resource Contention": the ETag is the version id as a weak entity tag (RFC 7232 2.3).
export function weakETag(versionId) {
  return `W/"${versionId}"`;
}

export function resourceHeaders(baseUrl, resource, includeLocation) {
  const headers = {};
  if (resource?.id && resource.meta?.versionId) {
    headers.ETag = weakETag(resource.meta.versionId);
  }
  if (resource?.meta?.lastUpdated) {
    headers['Last-Modified'] = new Date(resource.meta.lastUpdated).toUTCString();
  }
  if (includeLocation && resource?.id) {
    headers.Location = location(baseUrl, resource);
  }
  return headers;
}
