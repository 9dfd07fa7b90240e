// One run of an image template, simulated: the phases AIB reports in lastRunStatus.runSubState
// (Queued, Building, Customizing, Optimizing, Validating, Distributing), the build container and
// its log in the staging resource group, the customisers as a scripted simulation (scriptSim.ts),
// the customization.log blob at the end, then the distributed artifacts and runOutputs.
// Durations are nominal (Azure-like) and scaled by the scenario's timeScale; see DURATIONS and
// README.md.
import { randomBytes, randomUUID } from 'crypto';
import { ArmError } from '../arm/errors';
import type { SimServices } from '../arm/framework';
import { removeResource } from '../arm/helpers';
import type { Operation } from '../arm/operations';
import { RESOURCE_GROUP_TYPE, sameId } from '../arm/paths';
import type { StoredResource } from '../arm/store';
import type { BuildRecord } from '../types';
import { sleepReal } from '../core/clock';
import { IMAGE_TYPE } from './computeImages';
import {
  CONTAINER_GROUP_TYPE,
  ContainerLog,
  createContainerGroup,
  terminateContainerGroup,
} from './containerGroups';
import { fetchExternalFile } from './externalFiles';
import { GALLERY_IMAGE_TYPE, GALLERY_IMAGE_VERSION_TYPE, publishImageVersion } from './gallery';
import { catalogOf, compareVersions } from './marketplace';
import { PackerLog, packerDuration } from './packerLog';
import { regionKey } from './regions';
import { BuildVm } from './buildVm';
import { ScriptKind, simulateScript } from './scriptSim';
import { ensureStagingAccount, stagingAccountIn } from './stagingStorage';

export const TEMPLATE_TYPE = 'Microsoft.VirtualMachineImages/imageTemplates';
export const RUN_OUTPUT_TYPE = 'Microsoft.VirtualMachineImages/imageTemplates/runOutputs';

/** Nominal durations in ms (what the step takes in Azure); real time = nominal × timeScale. */
export const DURATIONS = {
  queued: 30_000,
  building: 180_000,
  scriptBase: 30_000,
  perCommand: 5_000,
  file: 15_000,
  restart: 120_000,
  windowsUpdate: 480_000,
  deprovisionWindows: 240_000,
  deprovisionLinux: 90_000,
  optimize: 300_000,
  validationVm: 120_000,
  managedImage: 60_000,
  vhd: 120_000,
  cancelCleanup: 180_000,
};

const TROUBLESHOOT = 'For more troubleshooting steps go to https://aka.ms/azvmimagebuilderts.';

type SubState =
  'Queued' | 'Building' | 'Customizing' | 'Optimizing' | 'Validating' | 'Distributing';

/** Why a build stopped early. */
class BuildStop extends Error {
  constructor(
    readonly kind: 'failed' | 'canceled' | 'timeout',
    message: string,
  ) {
    super(message);
  }
}

interface Prefetched {
  content?: Buffer;
  external: boolean;
  localName: string;
}

interface SourceInfo {
  osType: 'Windows' | 'Linux';
  generation: string;
}

export function stagingGroupIdOf(template: StoredResource): string {
  return (
    template.properties?.exactStagingResourceGroup ?? template.properties?.stagingResourceGroup
  );
}

/** The template identity's principal (the first user-assigned identity), if any. */
function principalOf(template: StoredResource): {
  principalId?: string;
  clientId?: string;
  id?: string;
} {
  const uai = template.identity?.userAssignedIdentities ?? {};
  const [id] = Object.keys(uai);
  return id ? { id, principalId: uai[id]?.principalId, clientId: uai[id]?.clientId } : {};
}

function rgOf(id: string): string {
  return id.split('/')[4] ?? '';
}

/** The running (or last) build of a template. */
export function buildOf(sim: SimServices, templateId: string): Build | undefined {
  return sim.store.has(templateId)
    ? (sim.store.meta(templateId).build as Build | undefined)
    : undefined;
}

export class Build {
  readonly runId = randomUUID();
  private readonly controller = new AbortController();
  private readonly lines: string[] = [];
  private readonly validationLines: string[] = [];
  private containerLog?: ContainerLog;
  private groupId?: string;
  private nominalElapsed = 0;
  private readonly log: PackerLog;
  private readonly prefetched = new Map<string, Prefetched>();
  private intermediateImageId?: string;
  /** The build VM the customisers run on: its disk persists across them (restarts included). */
  private readonly vm: BuildVm;
  /** This run in the simulator's journal (state().builds). */
  private readonly record: BuildRecord;
  private validating = false;
  operation?: Operation;
  finished = false;
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    private readonly sim: SimServices,
    private readonly template: StoredResource,
  ) {
    this.log = new PackerLog(this.runId, (l) => this.write(l));
    this.done = new Promise((r) => (this.resolveDone = r));
    sim.store.meta(template.id).build = this;
    this.vm = new BuildVm(sim, template);
    this.record = { templateId: template.id, runId: this.runId, runState: 'Running', log: [] };
    sim.builds.push(this.record);
  }

  get running(): boolean {
    return !this.finished;
  }

  private get signal(): AbortSignal {
    return this.controller.signal;
  }

  private status(s: Record<string, unknown>): void {
    const t = this.template;
    t.properties.lastRunStatus = { ...(t.properties.lastRunStatus ?? {}), ...s };
    if (typeof s.runState === 'string') this.record.runState = s.runState;
  }

  private phase(p: SubState): void {
    this.status({ runSubState: p });
  }

  private write(line: string): void {
    this.lines.push(line);
    // The journal holds the log's lines as the file has them (a write may hold several).
    this.record.log.push(...line.split('\n'));
    if (this.validating) this.validationLines.push(line);
    this.containerLog?.append(line);
  }

  private async wait(nominalMs: number): Promise<void> {
    this.nominalElapsed += nominalMs;
    try {
      await this.sim.clock.sleep(nominalMs, this.signal);
    } catch {
      throw this.stopReason();
    }
  }

  private stopReason(): BuildStop {
    const r = this.signal.reason;
    return r instanceof BuildStop ? r : new BuildStop('canceled', 'The simulator stopped.');
  }

  /** Emits lines spread over a step's nominal duration. */
  private async step(nominalMs: number, emit: Array<() => void>): Promise<void> {
    const slice = nominalMs / Math.max(1, emit.length);
    for (const e of emit) {
      e();
      await this.wait(slice);
    }
  }

  /** Starts the run: lastRunStatus Running/Queued now; the work runs in `execute`. */
  begin(): void {
    const t = this.template;
    for (const r of this.sim.store.list({ type: RUN_OUTPUT_TYPE, under: t.id }))
      this.sim.store.delete(r.id);
    t.properties.lastRunStatus = {
      startTime: new Date().toISOString(),
      runState: 'Running',
      runSubState: 'Queued',
      message: '',
    };
  }

  cancel(): void {
    this.status({ runState: 'Canceling' });
    this.controller.abort(new BuildStop('canceled', 'The build was canceled.'));
  }

  /**
   * The build itself; resolves when the run reached a terminal runState. Throws ArmError for a
   * failed run.
   */
  async execute(opSignal: AbortSignal): Promise<void> {
    const onStop = (): void =>
      this.controller.abort(new BuildStop('canceled', 'The simulator stopped.'));
    opSignal.addEventListener('abort', onStop, { once: true });
    const minutes = this.template.properties.buildTimeoutInMinutes || 240;
    const timer = setTimeout(
      () =>
        this.controller.abort(
          new BuildStop(
            'timeout',
            'Failed in building/customizing image: Failed while waiting for packerizer: ' +
              "Timeout waiting for microservice to complete: 'context deadline exceeded'",
          ),
        ),
      this.sim.clock.scaled(minutes * 60_000),
    );
    timer.unref?.();
    let failure: string | undefined;
    try {
      await this.wait(DURATIONS.queued);
      const source = await this.building();
      const validate = this.template.properties.validate ?? {};
      if (!validate.sourceValidationOnly) {
        await this.customizing(source);
        await this.optimizing();
      }
      const validationFailure = await this.validating_(source);
      if (validationFailure && !validate.continueDistributeOnFailure)
        throw new BuildStop('failed', validationFailure);
      const distribution = await this.distributing(source);
      await this.finish(0);
      if (validationFailure) failure = validationFailure;
      else if (distribution.failed > 0) failure = distribution.message;
      const runState = validationFailure
        ? 'Failed'
        : distribution.failed === 0
          ? 'Succeeded'
          : distribution.failed < distribution.total
            ? 'PartiallySucceeded'
            : 'Failed';
      this.status({ runState, message: failure ?? '', endTime: new Date().toISOString() });
    } catch (e) {
      const stop =
        e instanceof BuildStop
          ? e
          : new BuildStop(
              'failed',
              `Internal error occurred. This is a generic error. ${TROUBLESHOOT} ` +
                `(${(e as Error)?.message ?? e})`,
            );
      await this.finishStopped(stop, opSignal);
      failure = stop.kind === 'canceled' ? undefined : stop.message;
      if (stop.kind === 'canceled') {
        this.operation?.cancel();
        return;
      }
    } finally {
      clearTimeout(timer);
      opSignal.removeEventListener('abort', onStop);
      this.cleanupIntermediate();
      this.finished = true;
      this.resolveDone();
    }
    if (failure !== undefined) {
      throw new ArmError(500, 'InternalOperationError', failure);
    }
  }

  private async finishStopped(stop: BuildStop, opSignal: AbortSignal): Promise<void> {
    if (stop.kind === 'canceled') {
      this.log.out('Cancelling build after receiving terminated');
      this.status({ runState: 'Canceling' });
      if (!opSignal.aborted)
        await this.sim.clock.sleep(DURATIONS.cancelCleanup, opSignal).catch(() => undefined);
      await this.finish(143);
      this.status({
        runState: 'Canceled',
        message: 'The build was canceled.',
        endTime: new Date().toISOString(),
      });
      return;
    }
    await this.finish(1);
    this.status({ runState: 'Failed', message: stop.message, endTime: new Date().toISOString() });
  }

  // ------------------------------------------------------------------ phases

  private logUrl(name: string): string {
    const acct = this.groupId
      ? stagingAccountIn(this.sim, stagingGroupIdOf(this.template))
      : undefined;
    return (
      `${acct ? this.sim.storage.endpointFor(acct.name) : 'https://'}packerlogs/${this.runId}` +
      `/${name}`
    );
  }

  private packerFailureMessage(logName = 'customization.log'): string {
    return (
      'Failed while waiting for packerizer: Microservice has failed: Failed while ' +
      'processing request: Error when executing packerizer: ' +
      ('Packer build command has failed: exit status 1. During the image build, a failure ' +
        'has occurred, please review the build log to identify which build/customization ' +
        'step failed. ') +
      (`${TROUBLESHOOT} Image Build log location: ${this.logUrl(logName)}. OperationId: ` +
        `${this.runId}. Use this operationId to search packer logs.`)
    );
  }

  private async building(): Promise<SourceInfo> {
    this.phase('Building');
    const t = this.template;
    const sim = this.sim;
    const who = principalOf(t);
    if (who.id && !sim.store.get(who.id)) {
      throw new BuildStop(
        'failed',
        `The assigned managed identity cannot be used. Please remove the existing one and ` +
          `re-assign a new identity. ${TROUBLESHOOT}`,
      );
    }
    const stagingId = stagingGroupIdOf(t);
    const tags = {
      createdBy: 'AzureVMImageBuilder',
      imageTemplateName: t.name,
      imageTemplateResourceGroupName: rgOf(t.id),
      ...(t.properties.managedResourceTags ?? {}),
    };
    ensureStagingGroup(sim, stagingId, t.location!, tags);
    // Image Builder's own service principal creates a staging group that did not exist; only in one
    // the user made does the template's identity need rights (Contributor, as Microsoft documents).
    if (
      t.properties.stagingResourceGroup &&
      !stagingMadeByImageBuilder(sim, t) &&
      sim.rbac.enforced &&
      !(
        who.principalId &&
        sim.rbac.isAllowed(who.principalId, 'Microsoft.Resources/deployments/write', stagingId)
      )
    ) {
      throw new BuildStop(
        'failed',
        `Not authorized to access the resource: ${stagingId}. Please check the user ` +
          `assigned identity has the correct permissions. For more details, go to ` +
          `https://aka.ms/azvmimagebuilderts.`,
      );
    }
    await ensureStagingAccount(sim, stagingId, t.location!, tags);

    // A new build container per run; the previous run's goes away.
    for (const g of sim.store.list({ type: CONTAINER_GROUP_TYPE, under: stagingId }))
      removeResource(sim, g.id);
    const suffix = randomBytes(5).toString('hex');
    const { group, log } = createContainerGroup(sim, {
      id: `${stagingId}/providers/${CONTAINER_GROUP_TYPE}/vmimagebuilder-build-container-${suffix}`,
      location: t.location!,
      container: 'packerizer',
      image: 'mcr.microsoft.com/azure-image-builder/packerizer:latest',
      command: ['/aib/packerizer', '--operation-id', this.runId],
      tags,
    });
    this.groupId = group.id;
    this.containerLog = log;
    for (const l of this.lines) log.append(l);

    const vm = `pkrvm${randomBytes(5).toString('hex').slice(0, 9)}`;
    this.vmName = vm;
    const source = this.resolveSource();
    await this.prefetch();
    const comm = source.osType === 'Windows' ? 'WinRM' : 'SSH';
    await this.step(DURATIONS.building, [
      () => this.log.say('Running builder ...'),
      () => this.log.say('Getting tokens using Managed Identity for Azure'),
      () => this.log.say(`Using existing resource group ...`),
      () => this.log.say(` -> ResourceGroupName : '${stagingId.split('/').pop()}'`),
      () => this.log.say(` -> Location          : '${t.location}'`),
      () => this.log.say('Validating deployment template ...'),
      () => this.log.say(` -> DeploymentName    : 'pkrdp${suffix}'`),
      () => this.log.say('Deploying deployment template ...'),
      () => this.log.say(` -> ComputeName       : '${vm}'`),
      () => this.log.say("Getting the VM's IP address ..."),
      () =>
        this.log.say(
          comm === 'WinRM'
            ? 'Waiting for WinRM to become available...'
            : 'Waiting for SSH to become available...',
        ),
      () =>
        comm === 'WinRM' ? this.log.message('WinRM connected.') : this.log.say('Connected to SSH!'),
    ]);
    return source;
  }

  private vmName = 'pkrvm';

  /** Resolves and checks the template's source; sets source.exactVersion. */
  private resolveSource(): SourceInfo {
    const sim = this.sim;
    const t = this.template;
    const src = t.properties.source ?? {};
    const who = principalOf(t);
    const denied = (action: string, scope: string): boolean =>
      sim.rbac.enforced && !(who.principalId && sim.rbac.isAllowed(who.principalId, action, scope));
    const authFailed = (what: string, id: string, action: string): BuildStop =>
      new BuildStop(
        'failed',
        `Build (${what}) step failed: Error getting ${what} '${id}': Status=403 ` +
          `Code="AuthorizationFailed" Message="The client '${who.clientId ?? ''}' with ` +
          `object id '${who.principalId ?? ''}' does not have authorization to perform ` +
          `action '${action}' over scope '${id}' or the scope is invalid. If access was ` +
          `recently granted, please refresh your credentials."`,
      );
    const notFound = (what: string, id: string, typeName: string): BuildStop =>
      new BuildStop(
        'failed',
        `Build (${what}) step failed: Error getting ${what} '${id}': StatusCode=404 -- ` +
          `Original Error: autorest/azure: Service returned an error. Status=404 ` +
          `Code="ResourceNotFound" Message="The Resource '${typeName}' under resource group ` +
          `'${rgOf(id)}' was not found."`,
      );

    if (src.type === 'PlatformImage') {
      const catalog = catalogOf(sim.scenario);
      const want = String(src.version ?? 'latest');
      const exact =
        want.toLowerCase() === 'latest'
          ? catalog.latest(t.location!, src.publisher, src.offer, src.sku)
          : catalog.findVersion(t.location!, src.publisher, src.offer, src.sku, want)?.version;
      const urn = `${src.publisher}:${src.offer}:${src.sku}:${want}`;
      if (!exact)
        throw new BuildStop(
          'failed',
          `Build (Platform Image) step failed: Error getting Platform Image '${urn}': ` +
            `StatusCode=404 Code="NotFound" Message="Artifact: VMImage was not found."`,
        );
      const image = catalog.find(t.location!, src.publisher, src.offer, src.sku)!;
      if (image.plan && !src.planInfo) {
        throw new BuildStop(
          'failed',
          `VMMarketplaceInvalidInput: Creating a virtual machine from Marketplace image ` +
            `requires Plan information in the request. VM: ` +
            `'${stagingGroupIdOf(t)}/providers/Microsoft.Compute/virtualMachines/` +
            `${this.vmName}'.`,
        );
      }
      src.exactVersion = exact;
      return { osType: image.osType, generation: image.hyperVGeneration };
    }
    if (src.type === 'ManagedImage') {
      const image = sim.store.get(src.imageId);
      if (!image || !sameId(image.type, IMAGE_TYPE))
        throw notFound(
          'Managed Image',
          src.imageId,
          `Microsoft.Compute/images/${String(src.imageId).split('/').pop()}`,
        );
      if (denied('Microsoft.Compute/images/read', image.id))
        throw authFailed('Managed Image', image.id, 'Microsoft.Compute/images/read');
      return {
        osType: image.properties?.storageProfile?.osDisk?.osType ?? 'Linux',
        generation: image.properties?.hyperVGeneration ?? 'V1',
      };
    }
    if (src.type === 'SharedImageVersion') {
      let id: string = src.imageVersionId;
      if (/\/versions\/latest$/i.test(id)) {
        const imageId = id.replace(/\/versions\/latest$/i, '');
        const candidates = sim.store
          .list({ type: GALLERY_IMAGE_VERSION_TYPE, under: imageId })
          .filter(
            (v) =>
              !v.properties?.publishingProfile?.excludeFromLatest &&
              v.properties?.provisioningState === 'Succeeded',
          )
          .sort((a, b) => compareVersions(a.name, b.name));
        const latest = candidates.pop();
        if (!latest)
          throw notFound(
            'Shared Image Version',
            id,
            `Microsoft.Compute/galleries/${id.split('/')[8]}/images/${id.split('/')[10]}` +
              `/versions/latest`,
          );
        id = latest.id;
      }
      const version = sim.store.get(id);
      if (!version || !sameId(version.type, GALLERY_IMAGE_VERSION_TYPE)) {
        const p = id.split('/');
        throw notFound(
          'Shared Image Version',
          id,
          `Microsoft.Compute/galleries/${p[8]}/images/${p[10]}/versions/${p[12]}`,
        );
      }
      if (denied('Microsoft.Compute/galleries/images/versions/read', version.id))
        throw authFailed(
          'Shared Image Version',
          version.id,
          'Microsoft.Compute/galleries/images/versions/read',
        );
      src.exactVersion = version.id;
      const parent = sim.store.get(version.id.replace(/\/versions\/[^/]+$/i, ''));
      return {
        osType: parent?.properties?.osType ?? 'Linux',
        generation: parent?.properties?.hyperVGeneration ?? 'V1',
      };
    }
    throw new BuildStop(
      'failed',
      `Validation failed: 'ImageTemplate.properties.source': Field 'type' has a bad value: ` +
        `'${src.type}'.`,
    );
  }

  /** Downloads every external file (customisers and validators) and checks its checksum. */
  private async prefetch(): Promise<void> {
    const t = this.template;
    const all: Array<{ c: any; key: 'scriptUri' | 'sourceUri'; idx: string }> = [];
    (t.properties.customize ?? []).forEach((c: any, i: number) => {
      for (const key of ['scriptUri', 'sourceUri'] as const)
        if (c[key]) all.push({ c, key, idx: `${i}.customizer` });
    });
    (t.properties.validate?.inVMValidations ?? []).forEach((c: any, i: number) => {
      for (const key of ['scriptUri', 'sourceUri'] as const)
        if (c[key]) all.push({ c, key, idx: `${i}.validator` });
    });
    const who = principalOf(t);
    for (const { c, key, idx } of all) {
      const url: string = c[key];
      const localName = `${this.runId.slice(0, 8)}.${idx}.fp`;
      const r = await fetchExternalFile(this.sim, url, who.principalId);
      if (!r.ok) {
        this.log.service(
          `Downloading external file (${url}) to local file (${localName}) [attempt 10 of ` +
            `10] failed: ${r.reason}`,
        );
        throw new BuildStop(
          'failed',
          `Downloading external file (${url}) to local file (${localName}) [attempt 10 of ` +
            `10] failed: Error downloading '${url}' to '${localName}'..`,
        );
      }
      this.log.service(
        `Downloading external file (${url}) to local file (${localName}) [attempt 1 of 10] ` +
          `succeeded`,
      );
      const expected = String(c.sha256Checksum ?? '')
        .trim()
        .toLowerCase();
      if (!r.external && expected !== '' && expected !== r.sha256) {
        this.log.service(
          `Checksum validation of external file (${url}) failed: expected sha256 ` +
            `'${expected}', got '${r.sha256}'`,
        );
        throw new BuildStop(
          'failed',
          `Validation of external file (${url}) failed: the SHA256 checksum of the ` +
            `downloaded file '${r.sha256}' does not match the sha256Checksum '${expected}' ` +
            `given in the template. ${TROUBLESHOOT}`,
        );
      }
      this.prefetched.set(`${idx}.${key}`, {
        content: r.external ? undefined : r.content,
        external: r.external,
        localName,
      });
    }
  }

  private async customizing(source: SourceInfo): Promise<void> {
    this.phase('Customizing');
    const list: any[] = this.template.properties.customize ?? [];
    for (let i = 0; i < list.length; i++) await this.runCustomizer(list[i], `${i}.customizer`);
    await this.deprovisionAndCapture(source);
  }

  /**
   * Runs one customiser (or validator); throws BuildStop with the packer failure on a bad exit
   * status.
   */
  private async runCustomizer(c: any, idx: string): Promise<void> {
    const L = this.log;
    switch (c.type) {
      case 'Shell':
      case 'PowerShell': {
        const kind: ScriptKind = c.type;
        const prov = kind === 'Shell' ? 'shell' : 'powershell';
        L.startProvisioner(prov);
        if (kind === 'PowerShell') L.say('Provisioning with Powershell...');
        const fetched = this.prefetched.get(`${idx}.scriptUri`);
        const local = fetched
          ? `/tmp/${fetched.localName}`
          : kind === 'Shell'
            ? `/tmp/packer-shell${randomBytes(5).toString('hex')}`
            : `/tmp/powershell-provisioner${randomBytes(5).toString('hex')}`;
        L.say(`Provisioning with ${prov} script: ${local}`);
        const lines: string[] = fetched
          ? fetched.content
            ? fetched.content.toString('utf8').split('\n')
            : []
          : (c.inline ?? []);
        if (!fetched)
          for (const cmd of lines)
            L.err(`packer-provisioner-${prov} plugin: Found command: ${cmd}`);
        const remote =
          kind === 'PowerShell'
            ? `C:\\Windows\\Temp\\script-${randomUUID()}.ps1`
            : `/tmp/script_${Math.floor(Math.random() * 9000 + 1000)}.sh`;
        const result = await simulateScript(kind, lines, remote, this.vm);
        const per = DURATIONS.perCommand;
        await this.wait(DURATIONS.scriptBase / 2);
        for (const o of result.output) {
          if (o.stream === 'out') L.message(o.text);
          else L.say(o.text);
          await this.wait(per);
        }
        await this.wait(DURATIONS.scriptBase / 2 + result.sleepSeconds * 1000);
        const valid: number[] =
          kind === 'PowerShell' && Array.isArray(c.validExitCodes) && c.validExitCodes.length > 0
            ? c.validExitCodes
            : [0];
        L.endProvisioner(prov);
        if (!valid.includes(result.exitCode)) {
          this.packerFailed(
            `Script exited with non-zero exit status: ${result.exitCode}. Allowed exit ` +
              `codes are: [${valid.join(' ')}]`,
          );
        }
        return;
      }
      case 'File': {
        const fetched = this.prefetched.get(`${idx}.sourceUri`);
        L.startProvisioner('file');
        L.say(`Uploading /tmp/${fetched?.localName ?? 'file'} => ${c.destination}`);
        if (c.destination) this.vm.writeFile(c.destination, fetched?.content ?? 'unknown');
        if (fetched?.content)
          L.message(
            `${fetched.localName} ${fetched.content.length} B / ${fetched.content.length} ` +
              `B [==========================================================] 100.00% 0s`,
          );
        await this.wait(DURATIONS.file);
        L.endProvisioner('file');
        return;
      }
      case 'WindowsRestart': {
        const cmd = c.restartCommand ?? 'shutdown /r /f /t 0 /c "packer restart"';
        L.startProvisioner('windows-restart');
        await this.step(DURATIONS.restart, [
          () => L.say('Restarting Machine'),
          () =>
            L.err(
              `packer-provisioner-windows-restart plugin: [INFO] starting remote command: ${cmd}`,
            ),
          () => L.say('Waiting for machine to restart...'),
          () =>
            c.restartCheckCommand
              ? L.err(
                  `packer-provisioner-windows-restart plugin: Checking that communicator ` +
                    `is connected with: '${c.restartCheckCommand}'`,
                )
              : undefined,
          () => L.message(`${this.vmName.toUpperCase()} restarted.`),
          () => L.say('Machine successfully restarted, moving on'),
        ]);
        L.endProvisioner('windows-restart');
        return;
      }
      case 'WindowsUpdate': {
        const criteria = c.searchCriteria || 'BrowseOnly=0 and IsInstalled=0';
        const filters: string[] = c.filters?.length ? c.filters : ['include:$true'];
        const limit = c.updateLimit || 1000;
        L.startProvisioner('windows-update');
        await this.step(DURATIONS.windowsUpdate, [
          () => L.say('Uploading the Windows update elevated script...'),
          () => L.say('Uploading the Windows update check for reboot required elevated script...'),
          () => L.say('Uploading the Windows update script...'),
          () => L.say('Running Windows update...'),
          () =>
            L.message(
              `Searching for Windows updates (criteria: ${criteria}; filters: ` +
                `${filters.join(', ')}; update limit: ${limit})...`,
            ),
          () =>
            L.message(
              'Found Windows update (2024-11 Cumulative Update for Microsoft server ' +
                'operating system version 21H2 for x64-based Systems (KB5046616)); 1042.2 ' +
                'MB; categories: Security Updates',
            ),
          () => L.message('Downloading Windows updates (1 updates; 1042.2 MB)...'),
          () => L.message('Installing Windows updates...'),
          () => L.say('Restarting the machine...'),
          () => L.say('Waiting for machine to become available...'),
          () => L.say('Running Windows update...'),
          () => L.message('Searching for Windows updates...'),
          () => L.message('No Windows updates found'),
        ]);
        L.endProvisioner('windows-update');
        return;
      }
      default:
        this.packerFailed(`unknown customizer type '${c.type}'`);
    }
  }

  /**
   * Packer's closing lines for a failed build, then the run fails with AIB's packerizer message.
   */
  private packerFailed(reason: string): never {
    const L = this.log;
    const after = packerDuration(this.nominalElapsed);
    L.say('Provisioning step had errors: Running the cleanup provisioner, if present...');
    L.say('Deleting individual resources ...');
    L.out(`Build 'azure-arm' errored after ${after}: ${reason}`);
    L.out('');
    L.out(`==> Wait completed after ${after}`);
    L.out('');
    L.out("==> Some builds didn't complete successfully and had errors:");
    L.out(`--> azure-arm: ${reason}`);
    L.out('');
    L.out('==> Builds finished but no artifacts were created.');
    L.err('[INFO] (telemetry) Finalizing.');
    throw new BuildStop(
      'failed',
      this.validating ? this.validationFailureMessage(reason) : this.packerFailureMessage(),
    );
  }

  private validationFailureMessage(reason: string): string {
    return (
      `Validation failed: ${reason}. During the image validation, a failure has occurred, ` +
      `please review the validation log to identify which validation step failed. ` +
      (`${TROUBLESHOOT} Image validation log location: ${this.logUrl('validation.log')}. ` +
        `OperationId: ${this.runId}. Use this operationId to search packer logs.`)
    );
  }

  private async deprovisionAndCapture(source: SourceInfo): Promise<void> {
    const L = this.log;
    const staging = stagingGroupIdOf(this.template);
    const imageName = `IntermediateImage_${this.runId.slice(0, 8)}`;
    if (source.osType === 'Windows') {
      L.startProvisioner('powershell');
      await this.step(DURATIONS.deprovisionWindows, [
        () => L.say('Provisioning with Powershell...'),
        () =>
          L.say(
            `Provisioning with powershell script: ` +
              `/tmp/powershell-provisioner${randomBytes(5).toString('hex')}`,
          ),
        () =>
          L.err(
            'packer-provisioner-powershell plugin: Found command: if( TEST-PATH ' +
              'c:\\DeprovisioningScript.ps1 ){cat c:\\DeprovisioningScript.ps1} else {echo ' +
              '"Deprovisioning script [c:\\DeprovisioningScript.ps1] could not be found. ' +
              'Image build may fail or the VM created from the Image may not boot. Please ' +
              'make sure the deprovisioning script is not accidentally deleted by a ' +
              'Customizer in the Template."}',
          ),
        () => L.message("Write-Output '>>> Waiting for GA Service (RdAgent) to start ...'"),
        () => L.message("Write-Output '>>> Sysprepping VM ...'"),
        () =>
          L.message(
            '& $Env:SystemRoot\\System32\\Sysprep\\Sysprep.exe /oobe /generalize /quiet /quit',
          ),
        () => L.message('IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE'),
      ]);
      L.endProvisioner('powershell');
    } else {
      L.startProvisioner('shell');
      await this.step(DURATIONS.deprovisionLinux, [
        () =>
          L.say(
            `Provisioning with shell script: /tmp/packer-shell${randomBytes(5).toString('hex')}`,
          ),
        () =>
          L.err(
            'packer-provisioner-shell plugin: Found command: sudo /tmp/DeprovisioningScript.sh',
          ),
        () => L.message('WARNING! The waagent service will be stopped.'),
        () => L.message('WARNING! Cached DHCP leases will be deleted.'),
      ]);
      L.endProvisioner('shell');
    }
    await this.step(60_000, [
      () => L.say("Querying the machine's properties ..."),
      () => L.say('Powering off machine ...'),
      () => L.say('Generalizing machine ...'),
      () => L.say('Capturing image ...'),
      () => L.say(` -> Image ResourceGroupName   : '${staging.split('/').pop()}'`),
      () => L.say(` -> Image Name                : '${imageName}'`),
      () => L.say(` -> Image Location            : '${this.template.location}'`),
      () => L.say('Deleting individual resources ...'),
    ]);
    // Packer's managed image: the intermediate artifact the distributors publish from.
    const id = `${staging}/providers/${IMAGE_TYPE}/${imageName}`;
    this.sim.store.put({
      id,
      name: imageName,
      type: IMAGE_TYPE,
      location: this.template.location,
      properties: {
        hyperVGeneration: source.generation,
        storageProfile: {
          osDisk: {
            osType: source.osType,
            osState: 'Generalized',
            caching: 'ReadWrite',
            storageAccountType: 'Standard_LRS',
          },
          dataDisks: [],
          zoneResilient: false,
        },
        provisioningState: 'Succeeded',
      },
    });
    this.intermediateImageId = id;
    const after = packerDuration(this.nominalElapsed);
    L.out(`Build 'azure-arm' finished after ${after}.`);
    L.out('');
    L.out(`==> Wait completed after ${after}`);
    L.out('');
    L.out('==> Builds finished. The artifacts of successful builds are:');
    L.out('--> azure-arm: Azure.ResourceManagement.VMImage:');
    L.out('');
    L.out(`OSType: ${source.osType}`);
    L.out(`ManagedImageResourceGroupName: ${staging.split('/').pop()}`);
    L.out(`ManagedImageName: ${imageName}`);
    L.out(`ManagedImageId: ${id}`);
    L.out(`ManagedImageLocation: ${this.template.location}`);
    L.err('[INFO] (telemetry) Finalizing.');
  }

  private async optimizing(): Promise<void> {
    if (this.template.properties.optimize?.vmBoot?.state !== 'Enabled') return;
    this.phase('Optimizing');
    await this.step(DURATIONS.optimize, [
      () => this.log.service('Optimizing image for faster VM boot (vmBoot: Enabled) ...'),
      () => this.log.service('Image optimization completed.'),
    ]);
  }

  /** Runs the in-VM validations; returns the failure message, or undefined when they passed. */
  private async validating_(source: SourceInfo): Promise<string | undefined> {
    const v = this.template.properties.validate ?? {};
    const list: any[] = v.inVMValidations ?? [];
    if (list.length === 0 && !v.sourceValidationOnly) return undefined;
    this.phase('Validating');
    this.validating = true;
    try {
      await this.step(DURATIONS.validationVm, [
        () =>
          this.log.say(
            v.sourceValidationOnly
              ? 'Validating the source image directly (sourceValidationOnly) ...'
              : 'Deploying validation VM from the customized image ...',
          ),
        () =>
          this.log.say(
            source.osType === 'Windows'
              ? 'Waiting for WinRM to become available...'
              : 'Waiting for SSH to become available...',
          ),
      ]);
      for (let i = 0; i < list.length; i++) await this.runCustomizer(list[i], `${i}.validator`);
      if (v.sourceValidationOnly) this.captureSource(source);
      return undefined;
    } catch (e) {
      if (e instanceof BuildStop && e.kind === 'failed') {
        if (v.sourceValidationOnly) this.captureSource(source);
        return e.message;
      }
      throw e;
    } finally {
      this.validating = false;
    }
  }

  /** With sourceValidationOnly no image is built: the source itself is what gets distributed. */
  private captureSource(source: SourceInfo): void {
    if (this.intermediateImageId) return;
    const staging = stagingGroupIdOf(this.template);
    const name = `IntermediateImage_${this.runId.slice(0, 8)}`;
    const id = `${staging}/providers/${IMAGE_TYPE}/${name}`;
    this.sim.store.put({
      id,
      name,
      type: IMAGE_TYPE,
      location: this.template.location,
      properties: {
        hyperVGeneration: source.generation,
        storageProfile: {
          osDisk: { osType: source.osType, osState: 'Generalized' },
          dataDisks: [],
        },
        provisioningState: 'Succeeded',
      },
    });
    this.intermediateImageId = id;
  }

  private async distributing(
    source: SourceInfo,
  ): Promise<{ total: number; failed: number; message: string }> {
    this.phase('Distributing');
    const list: any[] = this.template.properties.distribute ?? [];
    const errors: string[] = [];
    let failed = 0;
    for (let i = 0; i < list.length; i++) {
      const d = list[i];
      let artifact: { artifactId?: string; artifactUri?: string } = {};
      try {
        if (d.type === 'SharedImage') artifact = await this.distributeShared(d);
        else if (d.type === 'ManagedImage') artifact = await this.distributeManaged(d, source);
        else if (d.type === 'VHD') artifact = await this.distributeVhd(d);
        else throw new Error(`unknown distributor type '${d.type}'`);
        this.runOutput(d.runOutputName, { ...artifact, provisioningState: 'Succeeded' });
        this.log.service(
          `Distribution ${i} (${d.type}, runOutputName '${d.runOutputName}') succeeded: ` +
            `${artifact.artifactId ?? artifact.artifactUri}`,
        );
      } catch (e) {
        if (e instanceof BuildStop) throw e;
        failed++;
        const msg = (e as Error).message;
        errors.push(`[Error ${errors.length}] [Distribute ${i}] ${msg}`);
        this.runOutput(d.runOutputName, { provisioningState: 'Failed' });
        this.log.service(
          `Distribution ${i} (${d.type}, runOutputName '${d.runOutputName}') failed: ${msg}`,
        );
      }
    }
    return {
      total: list.length,
      failed,
      message:
        `Failed in distributing ${failed} images out of total ${list.length}: ` +
        `{${errors.join(' ')}}`,
    };
  }

  private runOutput(name: string, properties: Record<string, unknown>): void {
    const id = `${this.template.id}/runOutputs/${name}`;
    this.sim.store.put({ id, name, type: RUN_OUTPUT_TYPE, properties });
  }

  private identityDenied(action: string, scope: string): string | undefined {
    const sim = this.sim;
    const who = principalOf(this.template);
    if (
      !sim.rbac.enforced ||
      (who.principalId && sim.rbac.isAllowed(who.principalId, action, scope))
    )
      return undefined;
    return (
      `Not authorized to access the resource: ${scope}. Please check the user assigned ` +
      `identity has the correct permissions. For more details, go to ` +
      `https://aka.ms/azvmimagebuilderts. ` +
      (`(AuthorizationFailed: The client '${who.clientId ?? ''}' with object id ` +
        `'${who.principalId ?? ''}' does not have authorization to perform action ` +
        `'${action}' over scope '${scope}' or the scope is invalid.)`)
    );
  }

  private async distributeShared(d: any): Promise<{ artifactId: string }> {
    const sim = this.sim;
    const t = this.template;
    let imageId: string = d.galleryImageId;
    let versionName: string | undefined;
    const pinned = /^(.*)\/versions\/([^/]+)$/i.exec(imageId);
    if (pinned) {
      imageId = pinned[1];
      versionName = pinned[2];
    }
    const pub = (msg: string): Error =>
      new Error(
        `Error publishing MDI to Azure Compute Gallery:${imageId}, Location:${t.location}. ` +
          `Error: ${msg}`,
      );
    const image = sim.store.get(imageId);
    if (!image || !sameId(image.type, GALLERY_IMAGE_TYPE)) {
      const p = imageId.split('/');
      throw pub(
        `Status=404 Code="ResourceNotFound" Message="The Resource ` +
          `'Microsoft.Compute/galleries/${p[8]}/images/${p[10]}' under resource group ` +
          `'${p[4]}' was not found."`,
      );
    }
    if (!versionName) versionName = nextVersion(sim, imageId, d.versioning, t.properties.source);
    const versionId = `${imageId}/versions/${versionName}`;
    const denied = this.identityDenied(`${GALLERY_IMAGE_VERSION_TYPE}/write`, versionId);
    if (denied) throw pub(denied);
    const regions: Array<{
      name: string;
      regionalReplicaCount?: number;
      storageAccountType?: string;
    }> = d.targetRegions?.length
      ? d.targetRegions.map((r: any) => ({
          name: r.name,
          regionalReplicaCount: r.replicaCount ?? 1,
          storageAccountType: r.storageAccountType ?? 'Standard_LRS',
        }))
      : (d.replicationRegions?.length ? d.replicationRegions : [t.location]).map(
          (name: string) => ({
            name,
            regionalReplicaCount: 1,
            storageAccountType: d.storageAccountType ?? 'Standard_LRS',
          }),
        );
    if (!regions.some((r) => regionKey(r.name) === regionKey(t.location!)))
      regions.unshift({
        name: t.location!,
        regionalReplicaCount: 1,
        storageAccountType: d.storageAccountType ?? 'Standard_LRS',
      });
    this.log.service(
      `Publishing image version ${versionName} of ${imageId} to regions: ` +
        `${regions.map((r) => r.name).join(', ')}`,
    );
    const body = {
      location: t.location,
      tags: { ...(d.artifactTags ?? {}) },
      properties: {
        publishingProfile: {
          targetRegions: regions,
          excludeFromLatest: d.excludeFromLatest ?? false,
        },
        storageProfile: { source: { id: this.intermediateImageId } },
      },
    };
    try {
      const existing = sim.store.get(versionId);
      if (existing)
        throw new ArmError(
          409,
          'Conflict',
          `Gallery image version '${versionName}' already exists.`,
        );
      const v = await publishImageVersion({ sim, id: versionId, body }, this.signal);
      return { artifactId: v.id };
    } catch (e) {
      if (this.signal.aborted) throw this.stopReason();
      if (e instanceof ArmError) throw pub(`${e.code}: ${e.message}`);
      throw e;
    }
  }

  private async distributeManaged(d: any, source: SourceInfo): Promise<{ artifactId: string }> {
    const sim = this.sim;
    const id: string = d.imageId;
    const rgId = id.split('/').slice(0, 5).join('/');
    if (!sim.store.has(rgId))
      throw new Error(
        `Error creating managed image '${id}': Status=404 Code="ResourceGroupNotFound" ` +
          `Message="Resource group '${rgOf(id)}' could not be found."`,
      );
    const denied = this.identityDenied(`${IMAGE_TYPE}/write`, id);
    if (denied) throw new Error(`Error creating managed image '${id}': ${denied}`);
    if (sim.store.has(id))
      throw new Error(
        `the managed image named ${id.split('/').pop()} already exists in the resource ` +
          `group ${rgOf(id)}, use the -force option to automatically delete it.`,
      );
    await this.wait(DURATIONS.managedImage);
    sim.store.put({
      id,
      name: id.split('/').pop()!,
      type: IMAGE_TYPE,
      location: String(d.location ?? this.template.location)
        .toLowerCase()
        .replace(/\s+/g, ''),
      tags: { ...(d.artifactTags ?? {}) },
      properties: {
        hyperVGeneration: source.generation,
        storageProfile: {
          osDisk: {
            osType: source.osType,
            osState: 'Generalized',
            caching: 'ReadWrite',
            storageAccountType: 'Standard_LRS',
          },
          dataDisks: [],
          zoneResilient: true,
        },
        provisioningState: 'Succeeded',
      },
    });
    return { artifactId: id };
  }

  private async distributeVhd(d: any): Promise<{ artifactUri: string }> {
    const sim = this.sim;
    await this.wait(DURATIONS.vhd);
    // A VHD is 512-byte aligned with a "conectix" footer; a one-sector stand-in keeps Azurite
    // light.
    const footer = Buffer.alloc(512);
    footer.write('conectix', 0, 'ascii');
    if (d.uri) {
      const u = new URL(d.uri);
      const [account, container, ...blob] = u.pathname.split('/').filter(Boolean);
      if (!sim.storage.keys(account ?? ''))
        throw new Error(`Error uploading VHD to '${d.uri}': the storage account is not reachable.`);
      const acct = sim.store
        .list({ type: 'Microsoft.Storage/storageAccounts' })
        .find((r) => r.name.toLowerCase() === account.toLowerCase());
      const denied =
        acct &&
        this.identityDenied(
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
          `${acct.id}/blobServices/default/containers/${container}`,
        );
      if (denied) throw new Error(`Error uploading VHD to '${d.uri}': ${denied}`);
      const cc = sim.storage.client(account).getContainerClient(container);
      await cc.createIfNotExists();
      await cc.getBlockBlobClient(blob.join('/')).uploadData(footer);
      return { artifactUri: d.uri };
    }
    const acct = stagingAccountIn(sim, stagingGroupIdOf(this.template))!;
    const name = `${this.template.name}_${Date.now()}.vhd`;
    const cc = sim.storage.client(acct.name).getContainerClient('vhds');
    await cc.createIfNotExists();
    await cc.getBlockBlobClient(name).uploadData(footer);
    return { artifactUri: `${sim.storage.endpointFor(acct.name)}vhds/${name}` };
  }

  /** The container exits and the whole log goes to packerlogs/<runId>/customization.log. */
  private async finish(exitCode: number): Promise<void> {
    if (this.groupId) {
      this.log.service('PACKER Done exporting Packer logs to Azure Storage.');
      const acct = stagingAccountIn(this.sim, stagingGroupIdOf(this.template));
      if (acct && this.sim.storage.keys(acct.name))
        await this.uploadLogs(acct.name).catch((e) =>
          this.sim.log(`simulator: writing the build log failed: ${e?.message ?? e}`),
        );
      terminateContainerGroup(this.sim, this.groupId, exitCode);
    }
  }

  private async uploadLogs(account: string): Promise<void> {
    const cc = this.sim.storage.client(account).getContainerClient('packerlogs');
    await cc.createIfNotExists();
    const text = this.lines.map((l) => l + '\n').join('');
    await cc
      .getBlockBlobClient(`${this.runId}/customization.log`)
      .uploadData(Buffer.from(text, 'utf8'));
    if (this.validationLines.length > 0) {
      await cc
        .getBlockBlobClient(`${this.runId}/validation.log`)
        .uploadData(Buffer.from(this.validationLines.map((l) => l + '\n').join(''), 'utf8'));
    }
  }

  private cleanupIntermediate(): void {
    if (this.intermediateImageId && this.sim.store.has(this.intermediateImageId))
      removeResource(this.sim, this.intermediateImageId);
  }

  /** Waits for the build to end, at most `ms` real milliseconds. */
  async settle(ms: number): Promise<void> {
    await Promise.race([this.done, sleepReal(ms)]);
  }
}

/** The next version for a SharedImage distributor: AIB's `Latest` scheme (default) or `Source`. */
export function nextVersion(
  sim: SimServices,
  imageId: string,
  versioning: any,
  source: any,
): string {
  if (versioning?.scheme === 'Source') {
    const exact = String(source?.exactVersion ?? source?.version ?? '');
    const v = exact.split('/').pop()!;
    if (/^\d+\.\d+\.\d+$/.test(v)) return v;
  }
  const major =
    versioning?.scheme === 'Latest' && typeof versioning.major === 'number' && versioning.major >= 0
      ? versioning.major
      : undefined;
  const versions = sim.store
    .list({ type: GALLERY_IMAGE_VERSION_TYPE, under: imageId })
    .map((v) => v.name)
    .filter(
      (n) =>
        /^\d+\.\d+\.\d+$/.test(n) && (major === undefined || Number(n.split('.')[0]) === major),
    )
    .sort(compareVersions);
  const latest = versions.pop();
  if (!latest) return `${major ?? 1}.0.0`;
  const [a, b, c] = latest.split('.').map(Number);
  return `${a}.${b}.${c + 1}`;
}

/** Creates the staging group when missing (AIB creates it, tagged, in the template's region). */
export function ensureStagingGroup(
  sim: SimServices,
  id: string,
  location: string,
  tags: Record<string, string>,
): void {
  if (sim.store.has(id)) return;
  sim.store.put({
    id,
    name: id.split('/').pop()!,
    type: RESOURCE_GROUP_TYPE,
    location,
    tags,
    properties: { provisioningState: 'Succeeded' },
  });
}

/**
 * A staging group Image Builder created for this template (none given, or a given one that did not
 * exist), by its tags.
 */
function stagingMadeByImageBuilder(sim: SimServices, template: StoredResource): boolean {
  const g = sim.store.get(stagingGroupIdOf(template));
  return g?.tags?.createdBy === 'AzureVMImageBuilder' && g.tags.imageTemplateName === template.name;
}

/**
 * What template deletion removes: the AIB-made group, or only the contents of a given staging group
 * that existed.
 */
export function removeStaging(sim: SimServices, template: StoredResource): void {
  const id = stagingGroupIdOf(template);
  if (!id || !sim.store.has(id)) return;
  if (!template.properties?.stagingResourceGroup || stagingMadeByImageBuilder(sim, template)) {
    removeResource(sim, id);
    return;
  }
  // {group}/providers/{ns}/{type}/{name}: top-level resources only.
  const depth = id.split('/').length + 4;
  // What Image Builder made goes; the group's role assignments (its identity's Contributor) are not
  // its to remove.
  for (const r of sim.store
    .list({ under: id })
    .filter(
      (r) => r.id.split('/').length === depth && !/^Microsoft\.Authorization\//i.test(r.type),
    ))
    removeResource(sim, r.id);
}
