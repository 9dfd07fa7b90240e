/**
 * Checks made once the pool and the image are read, before any write: the image fits the hosts
 * (replicated to their region, OS, Hyper-V generation, security type), and the join is settled.
 * Each refusal is one InputError naming the input to change.
 */
import { InputError } from '../core/errors';
import { shortName } from '../azure/resourceIds';
import { adPasswordMissing, JoinInput } from './params';
import { regionKey } from './read/image';
import { HostTemplate, ResolvedJoin, TargetImage } from './state';

export function checkImageFits(target: TargetImage, template: HostTemplate): void {
  const region = regionKey(template.location);
  if (!target.regions.includes(region))
    throw new InputError(
      'image',
      `image version ${shortName(target.versionId)} is not replicated to ${region}, where the ` +
        `pool's hosts are (it is in: ${target.regions.join(', ') || 'no region'})`,
      `a version replicated to ${region}: run DistributeToGallery with action: replicate and ` +
        `regions: ${region} for it first`,
    );
  if (target.osType && !/^windows$/i.test(target.osType))
    throw new InputError(
      'image',
      `image definition ${shortName(target.definitionId)} is a ${target.osType} image; ` +
        'session hosts run Windows',
      'a Windows image',
    );
  const trusted = /^TrustedLaunch$/i.test(template.securityType ?? '');
  const confidential = /^ConfidentialVM$/i.test(template.securityType ?? '');
  if ((trusted || confidential) && target.hyperVGeneration !== 'V2')
    throw new InputError(
      'image',
      `image definition ${shortName(target.definitionId)} is Hyper-V ${target.hyperVGeneration} ` +
        `(Gen1), but the pool's hosts are ${template.securityType} (${template.source}), which ` +
        'needs a Gen2 image',
      'a Hyper-V generation V2 image definition with the TrustedLaunch security type',
    );
  if (
    template.hyperVGeneration &&
    template.hyperVGeneration !== target.hyperVGeneration &&
    !trusted &&
    !confidential
  )
    throw new InputError(
      'image',
      `image definition ${shortName(target.definitionId)} is Hyper-V ` +
        `${target.hyperVGeneration}, the pool's hosts are ${template.hyperVGeneration} ` +
        `(${template.source})`,
      `a Hyper-V ${template.hyperVGeneration} image`,
    );
  const imageSecurity = target.securityType ?? 'Standard';
  if (/^TrustedLaunch$/i.test(imageSecurity) && !trusted)
    throw new InputError(
      'image',
      `image definition ${shortName(target.definitionId)} only makes Trusted Launch VMs, but the ` +
        `pool's hosts are ${template.securityType ?? 'Standard'} (${template.source})`,
      'an image definition whose security type fits the hosts (TrustedLaunchSupported or Standard)',
    );
  // ConfidentialVM images make only confidential VMs; confidential hosts need a CVM-capable image.
  if (
    (/^ConfidentialVM$/i.test(imageSecurity) && !confidential) ||
    (confidential && !/ConfidentialVM/i.test(imageSecurity))
  )
    throw new InputError(
      'image',
      `image definition ${shortName(target.definitionId)} is ${imageSecurity}, the pool's hosts ` +
        `are ${template.securityType ?? 'Standard'} (${template.source})`,
      'an image definition whose security type fits the hosts',
    );
}

/**
 * The join new hosts get: the input's, or (auto) the reference host's; AD DS always needs the
 * password from an input, as it cannot be read back from a host.
 */
export function resolveJoin(input: JoinInput, template: HostTemplate): ResolvedJoin {
  const ref = template.join;
  const type = input.type !== 'auto' ? input.type : ref.type === 'unknown' ? undefined : ref.type;
  if (!type)
    throw new InputError(
      'joinType',
      `how ${template.source} joined could not be told (no AADLoginForWindows or ` +
        'JsonADDomainExtension extension)',
      'entra or activeDirectory',
    );
  if (type === 'entra')
    return {
      type,
      intuneEnroll: input.intuneEnroll ?? (ref.type === 'entra' ? ref.intuneEnroll : false),
    };
  const fromRef: { domain?: string; user?: string; ouPath?: string } =
    ref.type === 'activeDirectory' ? ref : {};
  const domain = input.domain ?? fromRef.domain;
  const user = input.domainJoinUser ?? fromRef.user;
  if (!input.domainJoinPassword)
    throw adPasswordMissing(
      input.type === 'auto' ? `${template.source} is AD DS-joined (joinType auto)` : undefined,
    );
  if (!domain)
    throw new InputError(
      'domain',
      `the AD DS domain of ${template.source} could not be read`,
      'the domain to join',
    );
  if (!user)
    throw new InputError(
      'domainJoinUser',
      `the join account of ${template.source} could not be read`,
      'the account that joins computers to the domain',
    );
  return {
    type,
    domain,
    ouPath: input.ouPath ?? fromRef.ouPath,
    user,
    password: input.domainJoinPassword,
  };
}
