import * as assert from 'assert';
import {
  definitionConflicts,
  inputConflicts,
  plannedDefinitionTraits,
  securityTypeOf,
} from '../../../tasks/common/gallery/compatibility';

const src = (traits: object) => ({ describe: "virtual machine 'vm-1' (rg)", ...traits });

describe('gallery: source and image definition compatibility', () => {
  it('reads the security type from the definition features', () => {
    assert.strictEqual(securityTypeOf(undefined), 'Standard');
    assert.strictEqual(
      securityTypeOf([{ name: 'IsAcceleratedNetworkSupported', value: 'True' }]),
      'Standard',
    );
    assert.strictEqual(
      securityTypeOf([{ name: 'securitytype', value: 'trustedlaunch' }]),
      'TrustedLaunch',
    );
  });

  it('names the property and both values when an existing definition and the source differ', () => {
    const def = {
      name: 'win11',
      osType: 'Windows',
      osState: 'Generalized',
      hyperVGeneration: 'V1',
      securityType: 'Standard' as const,
      architecture: 'x64',
    };
    const problems = definitionConflicts(
      def,
      src({
        osType: 'Linux',
        osState: 'Specialized',
        hyperVGeneration: 'V2',
        securityType: 'TrustedLaunch',
      }),
    );
    assert.deepStrictEqual(problems.slice(0, 3), [
      "The image definition 'win11' has OS type 'Windows', but the source virtual machine " +
        "'vm-1' (rg) has 'Linux'.",
      "The image definition 'win11' has OS state 'Generalized', but the source virtual " +
        "machine 'vm-1' (rg) has 'Specialized'.",
      "The image definition 'win11' has Hyper-V generation 'V1', but the source virtual " +
        "machine 'vm-1' (rg) has 'V2'.",
    ]);
    assert.match(
      problems[3],
      new RegExp(
        "has security type 'Standard', but the source .* has 'TrustedLaunch'; a TrustedLaunch " +
          'source needs a definition with security type TrustedLaunch, TrustedLaunchSupported, ' +
          'TrustedLaunchAndConfidentialVmSupported',
      ),
    );
  });

  it('accepts compatible pairs and ignores what the source does not reveal', () => {
    const tl = {
      name: 'd',
      osType: 'Windows',
      osState: 'Generalized',
      hyperVGeneration: 'V2',
      securityType: 'TrustedLaunch' as const,
    };
    assert.deepStrictEqual(
      definitionConflicts(
        tl,
        src({ osType: 'windows', hyperVGeneration: 'V2', securityType: 'Standard' }),
      ),
      [],
    );
    assert.deepStrictEqual(definitionConflicts(tl, src({ securityType: 'TrustedLaunch' })), []);
    assert.deepStrictEqual(
      definitionConflicts(
        { ...tl, securityType: 'TrustedLaunchSupported' },
        src({ securityType: 'TrustedLaunch' }),
      ),
      [],
    );
    assert.deepStrictEqual(definitionConflicts(tl, src({})), [], 'a VHD says nothing');
    assert.strictEqual(
      definitionConflicts({ ...tl, hyperVGeneration: undefined }, src({ hyperVGeneration: 'V2' }))
        .length,
      1,
      'a definition without generation is V1',
    );
  });

  it('plans a new definition from the source, with inputs overriding auto', () => {
    const { traits, problems } = plannedDefinitionTraits(
      { securityType: 'TrustedLaunch' },
      src({
        osType: 'Windows',
        osState: 'Generalized',
        hyperVGeneration: 'V2',
        securityType: 'Standard',
      }),
    );
    assert.deepStrictEqual(problems, []);
    assert.deepStrictEqual(traits, {
      osType: 'Windows',
      osState: 'Generalized',
      hyperVGeneration: 'V2',
      securityType: 'TrustedLaunch',
      architecture: 'x64',
    });
  });

  it('refuses a new definition an input or the source contradicts, or nothing describes', () => {
    assert.deepStrictEqual(
      plannedDefinitionTraits(
        { hyperVGeneration: 'V1' },
        src({ osType: 'Windows', hyperVGeneration: 'V2' }),
      ).problems,
      ["Input 'hyperVGeneration' is 'V1', but the source virtual machine 'vm-1' (rg) has 'V2'."],
    );
    assert.deepStrictEqual(plannedDefinitionTraits({}, { describe: "VHD 'x'" }).problems, [
      "Input 'osType' is needed to create the image definition: the source VHD 'x' does " +
        'not say which it is.',
      "Input 'hyperVGeneration' is needed to create the image definition: the source VHD " +
        "'x' does not say which it is.",
    ]);
    assert.match(
      plannedDefinitionTraits(
        { securityType: 'TrustedLaunch' },
        src({ osType: 'Windows', hyperVGeneration: 'V1' }),
      ).problems[0],
      new RegExp(
        "Security type 'TrustedLaunch' needs Hyper-V generation V2, but the image definition " +
          'would be V1',
      ),
    );
    assert.match(
      plannedDefinitionTraits(
        { securityType: 'Standard' },
        src({ osType: 'Windows', hyperVGeneration: 'V2', securityType: 'TrustedLaunch' }),
      ).problems[0],
      /Input 'securityType' is 'Standard', but the source .* has 'TrustedLaunch'/,
    );
  });

  it('an explicit input that an existing definition contradicts names both values', () => {
    assert.deepStrictEqual(
      inputConflicts(
        { securityType: 'TrustedLaunch', osType: 'Windows' },
        { name: 'win11', osType: 'Windows', securityType: 'Standard' },
      ),
      [
        "Input 'securityType' is 'TrustedLaunch', but the existing image definition " +
          "'win11' has 'Standard', which can't be changed. Publish to another image " +
          "definition, or leave 'securityType' on auto.",
      ],
    );
  });
});
