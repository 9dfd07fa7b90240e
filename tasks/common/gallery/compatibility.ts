/**
 * Whether a source image fits an image definition: OS type and state, Hyper-V generation, security
 * type and architecture. Compute finds most of these only when the version is created, minutes in
 * and in its own words; this says before any write which property disagrees and both values.
 */
export const SECURITY_TYPES = [
  'Standard',
  'TrustedLaunch',
  'TrustedLaunchSupported',
  'ConfidentialVM',
  'ConfidentialVmSupported',
  'TrustedLaunchAndConfidentialVmSupported',
] as const;
export type SecurityType = (typeof SECURITY_TYPES)[number];

export interface ImageTraits {
  osType?: string;
  osState?: string;
  hyperVGeneration?: string;
  securityType?: SecurityType;
  architecture?: string;
}

export interface Feature {
  name?: string;
  value?: string;
}

/**
 * The security type a definition declares through its `SecurityType` feature ('Standard' without
 * one).
 */
export function securityTypeOf(features: Feature[] | undefined): SecurityType {
  const value = features?.find((f) => f.name?.toLowerCase() === 'securitytype')?.value;
  return SECURITY_TYPES.find((t) => t.toLowerCase() === value?.toLowerCase()) ?? 'Standard';
}

/** Security types of definitions that accept a source of the given security type. */
export function definitionTypesAccepting(source: SecurityType): SecurityType[] {
  switch (source) {
    case 'TrustedLaunch':
      return ['TrustedLaunch', 'TrustedLaunchSupported', 'TrustedLaunchAndConfidentialVmSupported'];
    case 'ConfidentialVM':
      return [
        'ConfidentialVM',
        'ConfidentialVmSupported',
        'TrustedLaunchAndConfidentialVmSupported',
      ];
    default:
      return [...SECURITY_TYPES];
  }
}

/** A definition's security type that needs Hyper-V generation 2. */
export function needsGeneration2(type: SecurityType | undefined): boolean {
  return type !== undefined && type !== 'Standard';
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Problems between an existing definition and a source, one sentence each naming the property and
 * both values. Properties the source does not reveal (undefined) are not compared.
 */
export function definitionConflicts(
  definition: ImageTraits & { name: string },
  source: ImageTraits & { describe: string },
): string[] {
  const problems: string[] = [];
  const def = `The image definition '${definition.name}'`;
  const compare = (label: string, want: string | undefined, have: string | undefined) => {
    if (want && have && !same(want, have))
      problems.push(
        `${def} has ${label} '${want}', but the source ${source.describe} has '${have}'.`,
      );
  };
  compare('OS type', definition.osType, source.osType);
  compare('OS state', definition.osState, source.osState);
  compare('Hyper-V generation', definition.hyperVGeneration ?? 'V1', source.hyperVGeneration);
  compare('architecture', definition.architecture, source.architecture);
  const defSecurity = definition.securityType ?? 'Standard';
  if (source.securityType && !definitionTypesAccepting(source.securityType).includes(defSecurity)) {
    problems.push(
      `${def} has security type '${defSecurity}', but the source ${source.describe} has ` +
        `'${source.securityType}'; ` +
        (`a ${source.securityType} source needs a definition with security type ` +
          `${definitionTypesAccepting(source.securityType).join(', ')}.`),
    );
  }
  return problems;
}

/** Inputs that shape a new definition; `auto` (undefined) takes the value from the source. */
export interface DefinitionChoice {
  osType?: string;
  osState?: string;
  hyperVGeneration?: string;
  securityType?: SecurityType;
  architecture?: string;
}

/** Input names for messages. */
const INPUT: Record<keyof DefinitionChoice, string> = {
  osType: 'osType',
  osState: 'osState',
  hyperVGeneration: 'hyperVGeneration',
  securityType: 'securityType',
  architecture: 'architecture',
};

/**
 * The traits of a definition to create: each input, or the source's value when the input is auto.
 * Problems: an input that contradicts the source, a trait nobody gives, a security type on
 * generation 1.
 */
export function plannedDefinitionTraits(
  choice: DefinitionChoice,
  source: ImageTraits & { describe: string },
): { traits: Required<ImageTraits>; problems: string[] } {
  const problems: string[] = [];
  const pick = (key: keyof DefinitionChoice, fallback?: string): string => {
    const given = choice[key];
    const have = source[key];
    if (
      given &&
      have &&
      !(key === 'securityType'
        ? definitionTypesAccepting(have as SecurityType).includes(given as SecurityType)
        : same(given, have))
    ) {
      problems.push(
        `Input '${INPUT[key]}' is '${given}', but the source ${source.describe} has '${have}'.`,
      );
    }
    const value = given ?? have ?? fallback;
    if (!value)
      problems.push(
        `Input '${INPUT[key]}' is needed to create the image definition: the source ` +
          `${source.describe} does not say which it is.`,
      );
    return value ?? '';
  };
  const traits = {
    osType: pick('osType'),
    osState: pick('osState', 'Generalized'),
    hyperVGeneration: pick('hyperVGeneration'),
    securityType: pick('securityType', 'Standard') as SecurityType,
    architecture: pick('architecture', 'x64'),
  };
  if (
    needsGeneration2(traits.securityType) &&
    traits.hyperVGeneration &&
    !same(traits.hyperVGeneration, 'V2')
  ) {
    problems.push(
      `Security type '${traits.securityType}' needs Hyper-V generation V2, but the image ` +
        `definition would be ${traits.hyperVGeneration}.`,
    );
  }
  return { traits, problems };
}

/**
 * Inputs given explicitly that an existing definition contradicts. These properties can't change on
 * a definition, so asking for them means the wrong definition is targeted.
 */
export function inputConflicts(
  choice: DefinitionChoice,
  definition: ImageTraits & { name: string },
): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(INPUT) as (keyof DefinitionChoice)[]) {
    const given = choice[key];
    const have =
      key === 'hyperVGeneration'
        ? (definition.hyperVGeneration ?? 'V1')
        : key === 'securityType'
          ? (definition.securityType ?? 'Standard')
          : definition[key];
    if (given && have && !same(given, have)) {
      problems.push(
        `Input '${INPUT[key]}' is '${given}', but the existing image definition ` +
          `'${definition.name}' has '${have}', which can't be changed. ` +
          `Publish to another image definition, or leave '${INPUT[key]}' on auto.`,
      );
    }
  }
  return problems;
}
