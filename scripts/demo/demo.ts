/**
 * npm start: the golden-image pipeline against the embedded Azure simulator, its log rendered as
 * the pipeline's web view shows it. Each step's output variables feed the next, as `$(step.var)`
 * does in a pipeline. Every step must succeed and leave what its check expects.
 */
import { buildTasks } from '../build';
import { runTask } from '../runner/runner';
import { hostPoolStep, stagingPoolResources } from './hostPoolStep';
import { LogView } from './logView';
import { devBoxResources, devBoxStep } from './devBoxStep';
import { Outputs, Step } from './step';
import type { Scenario } from '../../tests/sim';

const SUB = '/subscriptions/1f3e5d7c-9b2a-4c6e-8d0f-2a4b6c8d0e1f';
const RG = `${SUB}/resourceGroups/rg-golden-images`;
const STAGING_DEFINITION =
  `${RG}/providers/Microsoft.Compute/galleries/gal_staging/images` + `/win11-avd`;
const REGIONS = ['westeurope', 'northeurope', 'eastus'];

/**
 * The world the pipeline starts from: a resource group, Image Builder's identity, a staging
 * gallery.
 */
const SCENARIO: Scenario = {
  timeScale: 0.003,
  resources: [
    { id: RG, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
    {
      id: `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib-identity`,
      type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
      location: 'westeurope',
    },
    {
      id: `${RG}/providers/Microsoft.Compute/galleries/gal_staging`,
      type: 'Microsoft.Compute/galleries',
      location: 'westeurope',
      properties: {},
    },
    {
      id: STAGING_DEFINITION,
      type: 'Microsoft.Compute/galleries/images',
      location: 'westeurope',
      properties: {
        osType: 'Windows',
        osState: 'Generalized',
        hyperVGeneration: 'V2',
        identifier: { publisher: 'contoso', offer: 'win11-avd', sku: '24h2' },
      },
    },
    ...stagingPoolResources(),
    ...devBoxResources(),
  ],
};

const PIPELINE: Step[] = [
  {
    name: 'build',
    title: 'Build the image',
    task: 'BuildImage',
    auth: 'wif',
    inputs: () => ({
      location: 'westeurope',
      resourceGroup: 'rg-golden-images',
      managedIdentity: 'aib-identity',
      sourceImage: 'MicrosoftWindowsDesktop:windows-11:win11-24h2-avd',
      scriptSource: 'inline',
      runElevated: 'true',
      inlineScript:
        'Write-Host "Installing line-of-business apps"\nWrite-Host "Configuring FSLogix"',
      restart: 'true',
      windowsUpdate: 'true',
      galleryImageDefinitionId: STAGING_DEFINITION,
      pollInterval: '500ms',
    }),
  },
  {
    name: 'distribute',
    title: 'Publish to the production gallery',
    task: 'DistributeToGallery',
    auth: 'sp',
    inputs: (o) => ({
      source: o.build.imageVersionId,
      galleryResourceGroup: 'rg-golden-images',
      galleryName: 'gal_production',
      location: 'westeurope',
      imageDefinition: 'win11-avd',
      targetRegions: REGIONS.join(', '),
      pollInterval: '500ms',
    }),
    verify: (state, out) => {
      const version = state.resources.find(
        (r) => r.id.toLowerCase() === out.imageVersionId?.toLowerCase(),
      );
      const props = version?.properties as
        { publishingProfile?: { targetRegions?: { name: string }[] } } | undefined;
      const regions = (props?.publishingProfile?.targetRegions ?? []).map((r) =>
        r.name.toLowerCase().replace(/\s/g, ''),
      );
      const missing = REGIONS.filter((r) => !regions.includes(r));
      return missing.length ? `the published version is not in ${missing.join(', ')}` : undefined;
    },
  },
  devBoxStep(),
  hostPoolStep(),
];

const color = process.stdout.isTTY;
const bold = (t: string) => (color ? `\u001b[1m${t}\u001b[0m` : t);

async function main(): Promise<number> {
  await buildTasks();
  const { startSimulator } = await import('../../tests/sim');
  const sim = await startSimulator({ scenario: SCENARIO });
  const outputs: Outputs = {};
  const rows: string[] = [];
  let ok = true;
  try {
    console.log(
      bold(`Embedded Azure at ${sim.info.armUrl} (subscription ${sim.info.subscriptionId})`),
    );
    for (const step of PIPELINE) {
      console.log(
        `\n${bold(`━━ ${step.title} — ${step.task}@1 (service connection: ${step.auth})`)}`,
      );
      const view = new LogView({ color });
      const run = await runTask({
        task: step.task,
        auth: step.auth,
        inputs: step.inputs(outputs),
        sim,
        onOutput: (chunk) => view.push(chunk).forEach((l) => console.log(l)),
      });
      view.end().forEach((l) => console.log(l));
      outputs[step.name] = view.outputs;
      const problem =
        run.result === 'Succeeded' || run.result === 'SucceededWithIssues'
          ? step.verify?.(run.state, view.outputs)
          : `ended ${run.result ?? 'without a result'}`;
      ok &&= !problem;
      const outcome = problem ?? run.result!;
      console.log(
        bold(
          `${problem ? '✖' : '✔'} ${step.task}: ${outcome} in ` +
            `${(run.durationMs / 1000).toFixed(1)}s`,
        ),
      );
      for (const [name, value] of Object.entries(view.outputs))
        console.log(`    $(${step.name}.${name}) = ${value}`);
      rows.push(`${problem ? '✖' : '✔'} ${step.title.padEnd(36)} ${outcome}`);
    }
  } finally {
    await sim.stop();
  }
  console.log(`\n${bold('Pipeline summary')}\n${rows.join('\n')}`);
  console.log(
    ok
      ? '\nEvery step behaved as this version should.'
      : '\nA step did not behave as this version should.',
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.stack : String(err));
    process.exit(1);
  },
);
