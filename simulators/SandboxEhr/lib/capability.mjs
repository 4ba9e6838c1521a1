// GET [base]/metadata: the CapabilityStatement (R4 RESTful API, "capabilities"), built from the same definitions the
// server runs on, so what it declares (resource types, search parameters, vital-signs profiles) is what it does.
import { resourceDefinitionList, searchParameterBundle } from './definitions.mjs';
import { softwareIdentity } from './medplum.mjs';
import { profileUrlsOf } from './profiles.mjs';

let capabilityStatement;

/**
 * Built on the first request (with that request's base URL) and the same from then on, but for the software and
 * implementation, which say Medplum while the sandbox emulates it (medplum.mjs, `identity`).
 */
export function capabilityStatementFor(baseUrl, startedAt) {
  capabilityStatement ??= buildCapabilityStatement(baseUrl, startedAt);
  return { ...capabilityStatement, ...softwareIdentity(baseUrl) };
}

function buildCapabilityStatement(baseUrl, startedAt) {
  const resourceTypes = resourceDefinitionList
    .filter(
      (sd) =>
        sd?.resourceType === 'StructureDefinition' &&
        sd.kind === 'resource' &&
        !sd.abstract &&
        sd.derivation === 'specialization'
    )
    .map((sd) => sd.type)
    .sort();
  const searchParams = new Map();
  for (const entry of searchParameterBundle.entry ?? []) {
    const sp = entry.resource;
    for (const base of sp?.base ?? []) {
      if (!searchParams.has(base)) {
        searchParams.set(base, []);
      }
      searchParams.get(base).push({ name: sp.code, definition: sp.url, type: sp.type });
    }
  }
  const common = searchParams.get('Resource') ?? [];
  const interactions = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'create', 'search-type'];
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date(startedAt).toISOString(),
    publisher: 'Vitals Gateway sandbox',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        security: { description: 'No authentication (sandbox)' },
        resource: resourceTypes.map((type) => {
          const supported = profileUrlsOf(type);
          return {
            type,
            profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
            ...(supported.length > 0 ? { supportedProfile: supported } : {}),
            interaction: interactions.map((code) => ({ code })),
            versioning: 'versioned',
            readHistory: true,
            updateCreate: false,
            conditionalCreate: true,
            conditionalUpdate: true,
            conditionalDelete: 'single',
            searchParam: [...common, ...(searchParams.get(type) ?? [])],
          };
        }),
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'search-system' }],
      },
    ],
  };
}
