// THE single place where request bodies of PUT, PATCH and POST are checked against the contracts.
//
// The OpenAPI validator (tests/sim/contracts, written separately) will export validateBody(...); once it
// exists, call it here for types whose spec is in /work/shared/contracts, before the required-field check.
// Until then only the fields a type declares as required are checked.
import { armErrors } from './errors';
import type { ArmRequest, ResourceTypeDef } from './framework';
import { valueAt } from './helpers';

export interface BodyCheck {
  req: ArmRequest;
  /** The resource type the body is for (for an action: the resource's type). */
  def: ResourceTypeDef;
  operation: 'PUT' | 'PATCH' | 'POST';
  /** For POST: the action name. */
  action?: string;
}

export function validateRequestBody(check: BodyCheck): void {
  const { req, def, operation } = check;
  if (operation === 'PUT') {
    if (req.body === undefined || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
      throw armErrors.invalidRequestContent('The request content was invalid and could not be deserialized: \'The request body must be a JSON object.\'.');
    }
    for (const field of def.requiredOnPut ?? []) {
      const v = valueAt(req.body, field);
      if (v === undefined || v === null) throw armErrors.missingRequiredProperty(field);
    }
  }
  if (operation === 'PATCH' && (req.body === undefined || typeof req.body !== 'object' || Array.isArray(req.body))) {
    throw armErrors.invalidRequestContent('The request content was invalid and could not be deserialized: \'The request body must be a JSON object.\'.');
  }
}
