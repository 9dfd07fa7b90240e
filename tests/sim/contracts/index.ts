/**
 * Request contracts of the simulated Azure, read from the official OpenAPI specs in
 * `../shared/contracts`.
 *
 *   findOperation(method, path): OperationInfo | undefined
 *     The spec operation ARM would route `method path` to (query string ignored, literal segments
 *     case-insensitive, repeated slashes collapsed). Gives the template, path parameter values,
 * body
 *     parameter schema, `longRunning` + `finalStateVia`, the 2xx `successStatusCodes` the spec
 * lists, and
 *     `pageable`. The newest held stable spec of the provider is used whatever api-version the
 * client sent.
 *     undefined when no held spec describes the operation. Treat the result as read-only (it is
 * cached).
 *
 *   validateBody(method, path, body): ValidationResult
 *     { ok: true, operation }                              body accepted (read-only members are
 * ignored);
 *     { ok: false, code, message, target, operation }      rejected with the service's error
 * code/message;
 *                                                           `target` is the JSON path of the
 * offending member;
 *     { ok: false, code: 'NoContract', ... }               no held spec describes the operation:
 * the caller
 *                                                           decides (check required fields itself,
 * or 404).
 *     Unknown and wrong-case members, missing required members, wrong JSON types, closed-enum
 * values,
 *     unknown discriminator values, patterns, lengths and ranges are rejected for every resource
 * type.
 *
 *   specsRoot(): string
 *     The contracts folder: env AZURE_SPECS_DIR, else `<repo>/../shared/contracts`.
 *
 * Spec files are parsed only when a request needs their provider, and cached.
 */
import { missingBodyError, dialectFor, renderViolation } from './armErrors';
import { findOperation, OperationInfo } from './operations';
import { walk } from './schemaWalker';

export { findOperation, OperationInfo } from './operations';
export { specsRoot } from './catalog';

export type ValidationResult =
  | { ok: true; operation: OperationInfo }
  | { ok: false; code: string; message: string; target: string; operation?: OperationInfo };

export function validateBody(method: string, path: string, body: unknown): ValidationResult {
  const operation = findOperation(method, path);
  if (!operation) {
    return {
      ok: false,
      code: 'NoContract',
      message: `No operation in the held specs matches ${method.toUpperCase()} ${path}.`,
      target: path,
    };
  }
  const param = operation.body;
  if (!param) return { ok: true, operation }; // ARM ignores a body the operation doesn't take
  if (body === undefined || body === null) {
    return param.required
      ? { ok: false, ...missingBodyError(), operation }
      : { ok: true, operation };
  }
  const rootName =
    param.definition ??
    `${operation.operationId.replace(/_.*/, '')}${param.name.charAt(0).toUpperCase()}` +
      `${param.name.slice(1)}`;
  const dialect = dialectFor(operation.namespace);
  const violation = walk(body, { node: param.schema, file: param.file }, rootName, {
    caseSensitiveValues: dialect === 'imagebuilder',
  });
  if (!violation) return { ok: true, operation };
  return {
    ok: false,
    ...renderViolation(violation, dialect, operation.apiVersion, rootName),
    operation,
  };
}
