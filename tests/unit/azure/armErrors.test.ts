import * as assert from 'assert';
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import {
  describeArmError,
  describeSignInFailure,
  roleForAction,
} from '../../../tasks/common/azure/armErrors';

const SUB = '/subscriptions/5e2f1c3a-0000-4000-8000-00000000beef';

/** An SDK error as @azure/arm-* clients throw it: a RestError carrying the ARM response. */
function armError(status: number, body: unknown, headers: Record<string, string> = {}): RestError {
  const request = createPipelineRequest({ url: `https://management.azure.com${SUB}/x` });
  const bodyAsText = JSON.stringify(body);
  const error = (body as { error: { code: string; message: string } }).error;
  return new RestError(error.message, {
    code: error.code,
    statusCode: status,
    request,
    response: {
      status,
      request,
      bodyAsText,
      headers: createHttpHeaders({
        'x-ms-correlation-request-id': 'c0ffee00-1111-2222-3333-444455556666',
        ...headers,
      }),
    },
  });
}

describe('ARM errors in plain words', () => {
  it(
    'AuthorizationFailed names principal, action, scope, role and the command, with the ' +
      'correlation id',
    () => {
      const scope =
        `${SUB}/resourceGroups/rg-images/providers/Microsoft.VirtualMachineImages` +
        `/imageTemplates/t1`;
      const line = describeArmError(
        armError(403, {
          error: {
            code: 'AuthorizationFailed',
            message:
              `The client '9a1b2c3d-0000-4000-8000-000000000001' with object id ` +
              `'9a1b2c3d-0000-4000-8000-000000000001' does not have authorization to perform ` +
              `action 'Microsoft.VirtualMachineImages/imageTemplates/write' over scope ` +
              `'${scope}' or the scope is invalid. If access was recently granted, please ` +
              `refresh your credentials.`,
          },
        }),
        'Creating image template t1',
      );
      assert.match(
        line,
        new RegExp(
          '^Creating image template t1 failed: AuthorizationFailed: principal with object ' +
            ('id 9a1b2c3d-0000-4000-8000-000000000001 may not perform ' +
              "'Microsoft\\.VirtualMachineImages") +
            "\\/imageTemplates\\/write'",
        ),
      );
      assert.ok(line.includes(`on '${scope}'`));
      assert.ok(line.includes("'Contributor' role"));
      assert.ok(
        line.includes(
          `az role assignment create --assignee-object-id ` +
            `9a1b2c3d-0000-4000-8000-000000000001 --role "Contributor" --scope ${scope}`,
        ),
      );
      assert.ok(line.endsWith('(correlation id c0ffee00-1111-2222-3333-444455556666)'));
      assert.ok(!line.includes('\n'));
    },
  );

  it('LinkedAuthorizationFailed names the linked identity and Managed Identity Operator', () => {
    const identity =
      `${SUB}/resourcegroups/rg-images/providers/Microsoft.ManagedIdentity` +
      `/userAssignedIdentities/aib-identity`;
    const line = describeArmError(
      armError(403, {
        error: {
          code: 'LinkedAuthorizationFailed',
          message:
            `The client '0cd52919-aaf4-4022-a022-5ed15ed0fc24' with object id ` +
            `'0cd52919-aaf4-4022-a022-5ed15ed0fc24' has permission to perform action ` +
            `'Microsoft.VirtualMachineImages/imageTemplates/write' on scope ` +
            `'${SUB}/resourceGroups/rg-images/providers/Microsoft.VirtualMachineImages` +
            `/imageTemplates/t1'; however, it does not have permission to perform action ` +
            `'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action' on the linked ` +
            `scope(s) '${identity}' or the linked scope(s) are invalid.`,
        },
      }),
    );
    assert.match(
      line,
      new RegExp(
        '^LinkedAuthorizationFailed: principal with object id ' +
          '0cd52919-aaf4-4022-a022-5ed15ed0fc24 ' +
          "may perform 'Microsoft\\.VirtualMachineImages\\/imageTemplates\\/write'",
      ),
    );
    assert.ok(line.includes("'Managed Identity Operator' role"));
    assert.ok(line.includes(`--scope ${identity}`));
  });

  it(
    'RequestDisallowedByPolicy names the policy, from additionalInfo or the identifiers in ' +
      'the message',
    () => {
      const withInfo = describeArmError(
        armError(403, {
          error: {
            code: 'RequestDisallowedByPolicy',
            target: 'st1',
            message:
              "Resource 'st1' was disallowed by policy. Reasons: 'Storage accounts must not " +
              "allow public access'. See error details for policy resource IDs.",
            additionalInfo: [
              {
                type: 'PolicyViolation',
                info: {
                  policyDefinitionDisplayName: 'Storage accounts should prevent shared key access',
                  policyAssignmentDisplayName: 'Deny public storage',
                  policyAssignmentName: 'deny-public-storage',
                },
              },
            ],
          },
        }),
      );
      assert.match(
        withInfo,
        new RegExp(
          "^RequestDisallowedByPolicy: Azure Policy refused the request \\(policy 'Deny " +
            "public storage'\\)",
        ),
      );
      const fromMessage = describeArmError(
        armError(403, {
          error: {
            code: 'RequestDisallowedByPolicy',
            message:
              `Resource 'rg' was disallowed by policy. Policy identifiers: ` +
              `'[{"policyAssignment":{"name":"Require test Tag on Resource ` +
              `Groups","id":"${SUB}/providers/Microsoft.Authorization/policyAssignments` +
              `/a"},"policyDefinition":{"name":"Require test ` +
              `Tag","id":"${SUB}/providers/Microsoft.Authorization/policyDefinitions/d"}}]'.`,
          },
        }),
      );
      assert.match(fromMessage, /policy 'Require test Tag on Resource Groups'/);
    },
  );

  it('ScopeLocked names the locked scope and how to find the lock', () => {
    const line = describeArmError(
      armError(409, {
        error: {
          code: 'ScopeLocked',
          message:
            `The scope ` +
            `'${SUB}/resourceGroups/rg-images/providers/Microsoft.Compute/galleries/g1' ` +
            `cannot perform delete operation because following scope(s) are locked: ` +
            `'${SUB}/resourceGroups/rg-images'. Please remove the lock and try again.`,
        },
      }),
    );
    assert.match(
      line,
      new RegExp(
        '^ScopeLocked: a management lock on ' +
          "'\\/subscriptions\\/[^']+\\/resourceGroups\\/rg-images'" +
          ' forbids this change',
      ),
    );
    assert.ok(line.includes(`az lock list --scope ${SUB}/resourceGroups/rg-images`));
  });

  it('throttling, not found and conflict say what to do', () => {
    const throttled = describeArmError(
      armError(
        429,
        {
          error: {
            code: 'SubscriptionRequestsThrottled',
            message:
              "Number of 'write' requests for subscription '5e2f1c3a' actor 'x' exceeded. " +
              "Please try again after '17' seconds after additional tickets are available.",
          },
        },
        { 'retry-after': '17' },
      ),
    );
    assert.match(
      throttled,
      new RegExp(
        '^SubscriptionRequestsThrottled: Azure Resource Manager is throttling this subscription ' +
          'and retries ran out\\. Azure asked to wait 17s\\. Run again later',
      ),
    );
    const notFound = describeArmError(
      armError(404, {
        error: {
          code: 'ResourceGroupNotFound',
          message: "Resource group 'rg-missing' could not be found.",
        },
      }),
    );
    assert.match(
      notFound,
      new RegExp(
        "^ResourceGroupNotFound: Resource group 'rg-missing' could not be found\\. Check " +
          'the resource id',
      ),
    );
    const conflict = describeArmError(
      armError(409, {
        error: {
          code: 'Conflict',
          message:
            'Update/Upgrade of image templates is currently not supported. Please change ' +
            'the name of the template you are submitting.',
        },
      }),
    );
    assert.match(
      conflict,
      new RegExp(
        '^Conflict: Update\\/Upgrade of image templates .* wait for it to finish, or use ' +
          'another name\\.',
      ),
    );
  });

  it('MissingSubscriptionRegistration gives the register command', () => {
    const line = describeArmError(
      armError(409, {
        error: {
          code: 'MissingSubscriptionRegistration',
          message:
            'The subscription is not registered to use namespace ' +
            "'Microsoft.VirtualMachineImages'. See https://aka.ms/rps-not-found for how to " +
            'register subscriptions.',
        },
      }),
    );
    assert.ok(line.includes('az provider register --namespace Microsoft.VirtualMachineImages'));
  });

  it('other errors keep code, message, target and details on one line', () => {
    const line = describeArmError(
      armError(400, {
        error: {
          code: 'InvalidTemplate',
          message: 'Deployment template validation failed.',
          target: 'properties.source',
          details: [
            { code: 'InvalidParameter', message: "The value of parameter 'sku' is invalid." },
          ],
        },
      }),
    );
    assert.strictEqual(
      line,
      'InvalidTemplate: Deployment template validation failed. (target: properties.source) ' +
        "Details: InvalidParameter: The value of parameter 'sku' is invalid. (correlation id " +
        'c0ffee00-1111-2222-3333-444455556666)',
    );
  });

  it('Entra sign-in failures point at the service connection', () => {
    const err = new Error(
      'ClientSecretCredential authentication failed: AADSTS7000215: Invalid client secret ' +
        'provided. Ensure the secret being sent in the request is the client secret value, ' +
        'not the client secret ID. Trace ID: 0a1b2c3d-0000-4000-8000-000000000009 ' +
        'Correlation ID: x',
    );
    assert.match(
      describeSignInFailure(err) ?? '',
      new RegExp(
        "^Sign-in to Microsoft Entra failed \\(AADSTS7000215\\): the service connection's " +
          ('client secret is wrong or has expired.*\\(trace id ' +
            '0a1b2c3d-0000-4000-8000-000000000009\\)$'),
      ),
    );
    assert.match(
      describeArmError(
        new Error(
          'AADSTS700213: No matching federated identity record found for presented ' +
            'assertion subject',
        ),
      ),
      /no federated credential of the app registration matches/,
    );
  });

  it('roles for actions are the least privileged built-in ones', () => {
    assert.strictEqual(
      roleForAction('Microsoft.Authorization/roleAssignments/write'),
      'Role Based Access Control Administrator',
    );
    assert.strictEqual(roleForAction('Microsoft.Compute/galleries/read'), 'Reader');
    assert.strictEqual(
      roleForAction('Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'),
      'Storage Blob Data Contributor',
    );
  });
});
