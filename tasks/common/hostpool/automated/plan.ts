/**
 * The Automated path's plan, printed before anything is written (and alone for `action: plan`):
 * the configuration's image change, then what happens to the pool's update with the settings it
 * gets (each said to be this run's or the pool's saved one).
 */
import { sameId } from '../../azure/resourceIds';
import { PlanItem, renderPlan } from '../../core/plan';
import { HostState, TargetImage } from '../state';
import { configuredImage, describeImage, SessionHostConfiguration, UpdateSettings } from './api';
import { describeSettings } from './settings';
import { describeDecision, StartDecision } from './start';

/** What {@link automatedPlanText} prints. */
export interface AutomatedPlanOptions {
  pool: string;
  configuration: SessionHostConfiguration;
  target: TargetImage;
  decision: StartDecision;
  /** The `update` body this run sends with a new update. */
  settings: UpdateSettings;
  /** The pool's saved settings (sessionHostManagements/default), if any. */
  saved?: UpdateSettings;
  /** The pool's session hosts with their VMs. */
  hosts: HostState[];
}

export function automatedPlanText(o: AutomatedPlanOptions): string {
  const version = o.target.version;
  const configured = configuredImage(o.configuration);
  const behind = o.hosts.filter((h) => !sameId(h.vm?.imageVersionId, o.target.versionId));
  const items: PlanItem[] = [
    sameId(configured, o.target.versionId)
      ? {
          action: 'keep',
          target: `session host configuration of ${o.pool}`,
          reason: `its image is ${version} already`,
        }
      : {
          action: 'update',
          target: `session host configuration of ${o.pool}`,
          reason: `image ${describeImage(o.configuration)} -> ${version}`,
          details: [`imageInfo: Custom, ${o.target.versionId}`],
        },
  ];
  const d = o.decision;
  const hostsLine = `hosts on another image: ${behind.map((h) => h.name).join(', ') || 'none'}`;
  if (d.kind === 'start')
    items.push({
      action: 'create',
      target: `session host update of ${o.pool}`,
      reason: `${behind.length} of ${o.hosts.length} host(s) run another image`,
      details: [...describeSettings(o.settings, o.saved), hostsLine],
    });
  else if (d.kind === 'done')
    items.push({
      action: 'keep',
      target: `session hosts of ${o.pool}`,
      reason: `all ${o.hosts.length} run ${version}`,
    });
  else
    items.push({
      action: d.kind === 'follow' ? 'keep' : 'update',
      target: `session host update of ${o.pool} in progress`,
      reason: describeDecision(d),
      details: ['it goes on with the settings it was started with; this run sends none', hostsLine],
    });
  return renderPlan(
    `Plan for ${o.pool}, updated by Azure's session host update (nothing is changed yet)`,
    items,
  );
}
