/**
 * The build settings inputs: VM size and OS disk, build timeout, a private build's subnets and
 * proxy VM, the staging resource group, managed resource tags, the build VM's identities,
 * validation, boot optimisation and error handling.
 */
import { parseResourceId, typeOf } from '../../azure/resourceIds';
import { errorMessage, InputError } from '../../core/errors';
import { InputReader } from '../../core/inputReader';
import type { BuildSettings } from './params';

const VM_SIZE = /^(Standard|Basic)_[A-Za-z0-9_-]+$/;

const SUBNET_ID = new RegExp(
  '^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.Network/virtualNetworks/[^/]+' +
    '/subnets/[^/]+$',
  'i',
);

export function readSettings(inputs: InputReader): BuildSettings {
  const subnet = (name: string) => {
    const v = inputs.string(name);
    if (v && !SUBNET_ID.test(v)) {
      throw new InputError(
        name,
        `'${v}' is not the resource id of a subnet`,
        '/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network' +
          '/virtualNetworks/<vnet>/subnets/<subnet>',
      );
    }
    return v;
  };
  const vmSize = (name: string) =>
    inputs.string(name, { pattern: VM_SIZE, expected: 'a VM size such as Standard_D4s_v5' });
  const subnetId = subnet('subnetId');
  const containerInstanceSubnetId = subnet('containerInstanceSubnetId');
  const proxyVmSize = vmSize('proxyVmSize');
  if ((containerInstanceSubnetId || proxyVmSize) && !subnetId) {
    throw new InputError(
      containerInstanceSubnetId ? 'containerInstanceSubnetId' : 'proxyVmSize',
      'applies to private builds only',
      'subnetId as well',
    );
  }
  if (containerInstanceSubnetId && proxyVmSize) {
    throw new InputError(
      'proxyVmSize',
      'no proxy VM is used when the build container has its own subnet (containerInstanceSubnetId)',
      'one of the two',
    );
  }
  const staging = inputs.string('stagingResourceGroup', {
    pattern: /^(\/subscriptions\/[^/]+\/resourceGroups\/)?[-\w._()]{1,90}$/i,
    expected: 'a resource group name or id',
  });
  const identities = inputs.list('buildVmIdentities');
  for (const id of identities) {
    const p = parseResourceId(id);
    if (!p || typeOf(p).toLowerCase() !== 'microsoft.managedidentity/userassignedidentities') {
      throw new InputError(
        'buildVmIdentities',
        `'${id}' is not the resource id of a user-assigned identity`,
        'resource ids of user-assigned identities, one per line',
      );
    }
  }
  const timeoutMs = inputs.duration('buildTimeout', {
    bareUnit: 'm',
    min: 60_000,
    max: 960 * 60_000,
    defaultValue: 240 * 60_000,
  }) as number;
  const onError = (name: string) => {
    const v = inputs.choice(name, ['default', 'cleanup', 'abort'] as const, 'default');
    return v === 'default' ? undefined : v;
  };
  const validationScript = inputs.string('validationScript');
  return {
    vmSize: vmSize('vmSize'),
    osDiskSizeGB: inputs.int('osDiskSizeGB', { min: 0, max: 4095 }),
    buildTimeoutMinutes: Math.ceil(timeoutMs / 60_000),
    subnetId,
    proxyVmSize,
    containerInstanceSubnetId,
    stagingResourceGroup: staging,
    managedResourceTags: readTags(inputs, 'managedResourceTags'),
    buildVmIdentities: identities,
    validation: {
      script: validationScript
        ? validationScript.split(/\r?\n/).filter((l) => l.trim())
        : undefined,
      sourceValidationOnly: inputs.bool('sourceValidationOnly'),
      continueOnFailure: inputs.bool('continueDistributeOnValidationFailure'),
    },
    optimizeBoot: inputs.bool('optimizeBoot'),
    onCustomizerError: onError('onCustomizerError'),
    onValidationError: onError('onValidationError'),
  };
}

/** `name=value` lines, or a JSON object of strings (the existing Microsoft task's form). */
function readTags(inputs: InputReader, name: string): Record<string, string> {
  const tags: Record<string, string> = {};
  const json = inputs.string(name);
  if (json?.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (err) {
      throw new InputError(
        name,
        `is not valid JSON (${errorMessage(err)})`,
        'a JSON object such as {"costCenter": "42"}, or name=value lines',
      );
    }
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof v !== 'string' || !k.trim())
        throw new InputError(
          name,
          `the tag '${k}' has no text value`,
          'a JSON object of strings, or name=value lines',
        );
      tags[k.trim()] = v;
    }
    return tags;
  }
  for (const entry of inputs.list(name)) {
    const m = /^([^=]+)=(.*)$/.exec(entry);
    if (!m || !m[1].trim())
      throw new InputError(name, `'${entry}' is not a tag`, 'name=value entries, one per line');
    tags[m[1].trim()] = m[2].trim();
  }
  return tags;
}
