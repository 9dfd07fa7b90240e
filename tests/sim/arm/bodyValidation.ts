// THE single place where request bodies of PUT, PATCH and POST are checked against the contracts:
// the OpenAPI validator (tests/sim/contracts) for operations a held spec describes, then the fields
// a type declares as required (the whole check for types without a spec).
import { validateBody } from '../contracts';
import { ArmError, armErrors } from './errors';
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
  if (
    operation !== 'POST' &&
    (req.body === undefined ||
      req.body === null ||
      typeof req.body !== 'object' ||
      Array.isArray(req.body))
  ) {
    throw armErrors.invalidRequestContent(
      "The request content was invalid and could not be deserialized: 'The request body " +
        "must be a JSON object.'.",
    );
  }
  const contract = validateBody(operation, req.path, req.body);
  if (!contract.ok && contract.code !== 'NoContract') {
    throw new ArmError(400, contract.code, contract.message, { target: contract.target });
  }
  if (operation === 'PUT') {
    for (const field of def.requiredOnPut ?? []) {
      const v = valueAt(req.body, field);
      if (v === undefined || v === null) throw armErrors.missingRequiredProperty(field);
    }
  }
}
