/**
 * What the Bicep CLI prints for seed 004's image template (`main.bicep` with a
 * `customizations.bicep` module, values in `main.bicepparam`), for the tests that stand in for the
 * CLI. No Bicep compiler can run here, so these are written by hand, in the shape the compiler
 * gives:
 * - `bicep build`: the compiler's own baselines in github.com/Azure/bicep (commit 9beb0fee,
 *   src/Bicep.Core.Samples/Files/baselines/Loops_LF/main.json, resource "test": a module is a
 *   Microsoft.Resources/deployments resource with `expressionEvaluationOptions.scope: inner`,
 *   `mode`, `parameters` as `{ value }`, and `template` (with its own `metadata._generator`,
 *   `parameters`, `resources`, `outputs`); what uses an output reads
 *   `reference(resourceId('Microsoft.Resources/deployments', '<name>'), '<api>')
 *   .outputs.<x>.value`; with `languageVersion: 2.0` (Modules_CRLF/main.json) resources are an
 *   object keyed by symbolic name and the reference is `reference('<symbol>').outputs.<x>.value`).
 *   A var holding a list of objects is emitted as JSON with an expression per interpolated string.
 * - `bicep build-params --stdout`: `{ parametersJson, templateJson, templateSpecId }`, the first
 *   two JSON documents as strings (src/Bicep.Cli/Models/ParametersStdout.cs there).
 */
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const GENERATOR = { _generator: { name: 'bicep', version: '0.30.23.60470' } };

/**
 * customizations.bicep:
 *   param scriptVersion string
 *   param greeting string = 'seed 004'
 *   @secure()
 *   param feedToken string
 *   var customizers = [
 *     { type: 'Shell', name: 'baseline', inline: [ 'sudo apt-get update' ] }
 *     { type: 'Shell', name: 'tools-${scriptVersion}', inline: [ 'echo ${greeting}: ...',
 *       'tools-login --token ${feedToken}' ] }
 *   ]
 *   output customizers array = customizers
 *   output count int = length(customizers)   // (not read by main.bicep)
 */
export const CUSTOMIZATIONS_TEMPLATE = {
  $schema: SCHEMA,
  contentVersion: '1.0.0.0',
  metadata: { _generator: { ...GENERATOR._generator, templateHash: '5190325846213446723' } },
  parameters: {
    scriptVersion: { type: 'string' },
    greeting: { type: 'string', defaultValue: 'seed 004' },
    feedToken: { type: 'securestring' },
  },
  variables: {
    customizers: [
      { type: 'Shell', name: 'baseline', inline: ['sudo apt-get update'] },
      {
        type: 'Shell',
        name: "[format('tools-{0}', parameters('scriptVersion'))]",
        inline: [
          "[format('echo {0}: tools {1}', parameters('greeting'), parameters('scriptVersion'))]",
          "[format('tools-login --token {0}', parameters('feedToken'))]",
        ],
      },
    ],
  },
  resources: [],
  outputs: {
    customizers: { type: 'array', value: "[variables('customizers')]" },
    count: { type: 'int', value: "[length(variables('customizers'))]" },
  },
};

/** What customizations.bicep gives for scriptVersion `version` and feedToken `token`. */
export const customizersFor = (version: string, token: string) => [
  { type: 'Shell', name: 'baseline', inline: ['sudo apt-get update'] },
  {
    type: 'Shell',
    name: `tools-${version}`,
    inline: [`echo seed 004: tools ${version}`, `tools-login --token ${token}`],
  },
];

/** A module resource (languageVersion 1.0) named `name` with `template` and `parameters`. */
export const moduleResource = (name: string, template: object, parameters: object) => ({
  type: 'Microsoft.Resources/deployments',
  apiVersion: '2022-09-01',
  name,
  properties: {
    expressionEvaluationOptions: { scope: 'inner' },
    mode: 'Incremental',
    parameters,
    template,
  },
});

/**
 * main.bicep, compiled:
 *   param location string = resourceGroup().location
 *   param runOutputName string
 *   param scriptVersion string
 *   @secure()
 *   param feedToken string
 *   module customizations 'customizations.bicep' = {
 *     name: 'customizations'
 *     params: { scriptVersion: scriptVersion, feedToken: feedToken }
 *   }
 *   resource golden 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = { ...
 *     customize: customizations.outputs.customizers ... }
 * `modules`: the module resources instead of customizations (an unsupported one, for a refusal).
 */
export function seed004Main(o: {
  source: object;
  galleryImageId: string;
  languageVersion?: '1.0' | '2.0';
  modules?: Record<string, object>;
}): Json {
  const modules = o.modules ?? {
    customizations: moduleResource('customizations', CUSTOMIZATIONS_TEMPLATE, {
      scriptVersion: { value: "[parameters('scriptVersion')]" },
      feedToken: { value: "[parameters('feedToken')]" },
    }),
  };
  const symbolic = o.languageVersion === '2.0';
  const [first] = Object.keys(modules);
  const ref = symbolic
    ? `reference('${first}')`
    : `reference(resourceId('Microsoft.Resources/deployments', '${first}'), '2022-09-01')`;
  const image = {
    type: 'Microsoft.VirtualMachineImages/imageTemplates',
    apiVersion: '2024-02-01',
    name: 'golden',
    location: "[parameters('location')]",
    properties: {
      source: o.source,
      customize: `[${ref}.outputs.customizers.value]`,
      distribute: [
        {
          type: 'SharedImage',
          galleryImageId: o.galleryImageId,
          runOutputName: "[parameters('runOutputName')]",
          targetRegions: [{ name: 'westeurope' }],
        },
      ],
    },
    dependsOn: symbolic
      ? Object.keys(modules)
      : Object.keys(modules).map((n) => `[resourceId('Microsoft.Resources/deployments', '${n}')]`),
  };
  return JSON.parse(
    JSON.stringify({
      $schema: SCHEMA,
      ...(symbolic ? { languageVersion: '2.0' } : {}),
      contentVersion: '1.0.0.0',
      metadata: { _generator: { ...GENERATOR._generator, templateHash: '1309532117470365045' } },
      parameters: {
        location: { type: 'string', defaultValue: '[resourceGroup().location]' },
        runOutputName: { type: 'string' },
        scriptVersion: { type: 'string' },
        feedToken: { type: 'securestring' },
      },
      resources: symbolic ? { ...modules, golden: image } : [...Object.values(modules), image],
    }),
  ) as Json;
}

/**
 * A module that deploys a storage account for the scripts and gives the customisers reading from
 * it: its outputs exist only once it is deployed.
 */
export const SCRIPTS_STORAGE_MODULE = moduleResource(
  'scripts',
  {
    $schema: SCHEMA,
    contentVersion: '1.0.0.0',
    metadata: GENERATOR,
    parameters: { location: { type: 'string' } },
    resources: [
      {
        type: 'Microsoft.Storage/storageAccounts',
        apiVersion: '2023-01-01',
        name: "[format('scripts{0}', uniqueString(resourceGroup().id))]",
        location: "[parameters('location')]",
        sku: { name: 'Standard_LRS' },
        kind: 'StorageV2',
      },
    ],
    outputs: {
      customizers: {
        type: 'array',
        value:
          "[createArray(createObject('type', 'Shell', 'name', 'tools', 'scriptUri', " +
          "format('{0}scripts/tools.sh', " +
          "reference(resourceId('Microsoft.Storage/storageAccounts', " +
          "format('scripts{0}', uniqueString(resourceGroup().id))), '2023-01-01')" +
          '.primaryEndpoints.blob)))]',
      },
    },
  },
  { location: { value: "[parameters('location')]" } },
);

/** main.bicepparam for seed 004. */
export const SEED004_BICEPPARAM = [
  "// seed 004's values (the CI's)",
  "using './main.bicep'",
  '',
  "param runOutputName = 'seed004-sig'",
  "param scriptVersion = '2.4.1'",
  "param feedToken = readEnvironmentVariable('FEED_TOKEN')",
  '',
].join('\n');

/** What `bicep build-params <file> --stdout` prints for `values`, beside `template`. */
export const buildParamsStdout = (values: Record<string, Json>, template: Json | null) =>
  JSON.stringify({
    parametersJson: JSON.stringify(
      {
        $schema:
          'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
        contentVersion: '1.0.0.0',
        parameters: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v }])),
      },
      null,
      2,
    ),
    templateJson: template === null ? null : JSON.stringify(template, null, 2),
    templateSpecId: null,
  });
