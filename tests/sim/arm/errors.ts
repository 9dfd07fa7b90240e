// ARM error bodies: {"error":{"code","message","target","details","additionalInfo"}} with the
// messages Resource Manager itself uses, so client code that matches on them meets the real text.

export interface ArmErrorDetail {
  code: string;
  message: string;
  target?: string;
  details?: ArmErrorDetail[];
  additionalInfo?: Array<{ type: string; info: unknown }>;
}

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: {
      target?: string;
      details?: ArmErrorDetail[];
      additionalInfo?: Array<{ type: string; info: unknown }>;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
  }

  body(): { error: ArmErrorDetail } {
    const error: ArmErrorDetail = { code: this.code, message: this.message };
    if (this.extra.target !== undefined) error.target = this.extra.target;
    if (this.extra.details !== undefined) error.details = this.extra.details;
    if (this.extra.additionalInfo !== undefined) error.additionalInfo = this.extra.additionalInfo;
    return { error };
  }
}

export const armErrors = {
  missingApiVersion: () =>
    new ArmError(
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    ),
  invalidApiVersion: (v: string, supported: string[]) =>
    new ArmError(
      400,
      'InvalidApiVersionParameter',
      `The api-version '${v}' is invalid. The supported versions are '${supported.join(',')}'.`,
    ),
  subscriptionNotFound: (sub: string) =>
    new ArmError(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`),
  resourceGroupNotFound: (rg: string) =>
    new ArmError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`),
  parentResourceNotFound: (parentName: string) =>
    new ArmError(
      404,
      'ParentResourceNotFound',
      `Can not perform requested operation on nested resource. Parent resource ` +
        `'${parentName}' not found.`,
    ),
  resourceNotFound: (typeAndName: string, rg: string | undefined) =>
    new ArmError(
      404,
      'ResourceNotFound',
      rg !== undefined
        ? `The Resource '${typeAndName}' under resource group '${rg}' was not found. For ` +
            `more details please go to https://aka.ms/ARMResourceNotFoundFix`
        : `The Resource '${typeAndName}' was not found. For more details please go to ` +
            `https://aka.ms/ARMResourceNotFoundFix`,
    ),
  invalidResourceType: (type: string, ns: string, apiVersion: string) =>
    new ArmError(
      400,
      'InvalidResourceType',
      `The resource type '${type}' could not be found in the namespace '${ns}' for api ` +
        `version '${apiVersion}'. (The simulator does not implement this resource type or ` +
        `operation.)`,
    ),
  invalidResourceNamespace: (ns: string) =>
    new ArmError(404, 'InvalidResourceNamespace', `The resource namespace '${ns}' is invalid.`),
  missingSubscriptionRegistration: (ns: string) => {
    const message =
      `The subscription is not registered to use namespace '${ns}'. See ` +
      `https://aka.ms/rps-not-found for how to register subscriptions.`;
    return new ArmError(409, 'MissingSubscriptionRegistration', message, {
      details: [{ code: 'MissingSubscriptionRegistration', target: ns, message }],
    });
  },
  invalidRequestContent: (message: string) => new ArmError(400, 'InvalidRequestContent', message),
  invalidJson: (err: string) =>
    new ArmError(
      400,
      'InvalidRequestContent',
      `The request content was invalid and could not be deserialized: '${err}'.`,
    ),
  missingRequiredProperty: (property: string) =>
    new ArmError(
      400,
      'InvalidRequestContent',
      `The request content was invalid and could not be deserialized: 'Required property ` +
        `'${property}' not found in JSON.'.`,
    ),
  locationRequired: () =>
    new ArmError(400, 'LocationRequired', 'The location property is required for this definition.'),
  methodNotAllowed: (method: string) =>
    new ArmError(
      405,
      'MethodNotAllowed',
      `The requested resource does not support http method '${method}'.`,
    ),
  authorizationFailed: (appId: string, oid: string, action: string, scope: string) =>
    new ArmError(
      403,
      'AuthorizationFailed',
      `The client '${appId}' with object id '${oid}' does not have authorization to ` +
        `perform action '${action}' over scope '${scope}' or the scope is invalid. If access ` +
        `was recently granted, please refresh your credentials.`,
    ),
  linkedAuthorizationFailed: (
    appId: string,
    oid: string,
    action: string,
    scope: string,
    linkedAction: string,
    linkedScope: string,
  ) =>
    new ArmError(
      403,
      'LinkedAuthorizationFailed',
      `The client '${appId}' with object id '${oid}' has permission to perform action ` +
        `'${action}' on scope '${scope}'; however, it does not have permission to perform ` +
        `action(s) '${linkedAction}' on the linked scope(s) '${linkedScope}' (respectively) ` +
        `or the linked scope(s) are invalid.`,
    ),
  internalServerError: (sub: string, correlationId: string) =>
    new ArmError(
      500,
      'InternalServerError',
      `Encountered internal server error. Diagnostic information: timestamp ` +
        `'${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, 'Z')}', ` +
        `subscription id '${sub}', tracking id '${correlationId}', request correlation id ` +
        `'${correlationId}'.`,
    ),
  serviceUnavailable: () =>
    new ArmError(
      503,
      'ServiceUnavailable',
      'The server is currently unable to handle the request due to a temporary overloading ' +
        'or maintenance of the server. Please try again later.',
    ),
  tooManyRequests: (write: boolean) =>
    new ArmError(
      429,
      'TooManyRequests',
      `The request is being throttled as the limit has been reached for operation type - ` +
        `${write ? 'Write' : 'Read'}_ObservationWindow_00:05:00. For more information, refer ` +
        `to - https://aka.ms/ARMThrottling`,
    ),
};

/** A generic error for a status injected by a fault. */
export function errorForStatus(
  status: number,
  write: boolean,
  sub: string,
  correlationId: string,
): ArmError {
  switch (status) {
    case 429:
      return armErrors.tooManyRequests(write);
    case 500:
      return armErrors.internalServerError(sub, correlationId);
    case 502:
      return new ArmError(
        502,
        'BadGateway',
        'The gateway did not receive a response from the resource provider within the ' +
          'specified time period.',
      );
    case 503:
      return armErrors.serviceUnavailable();
    case 504:
      return new ArmError(
        504,
        'GatewayTimeout',
        "The gateway did not receive a response from 'Microsoft.Resources' within the " +
          'specified time period.',
      );
    case 409:
      return new ArmError(
        409,
        'Conflict',
        'The request conflicts with the current state of the resource.',
      );
    case 404:
      return new ArmError(404, 'NotFound', 'The requested resource was not found.');
    case 403:
      return new ArmError(403, 'Forbidden', 'The client is not allowed to perform this operation.');
    case 401:
      return new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    case 400:
      return new ArmError(400, 'BadRequest', 'The request is invalid.');
    default:
      return new ArmError(
        status,
        'InjectedFault',
        `A fault injected by the scenario answered ${status}.`,
      );
  }
}
