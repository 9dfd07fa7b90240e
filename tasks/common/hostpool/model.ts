/**
 * Azure Virtual Desktop host pools and session hosts as Resource Manager returns them
 * (Microsoft.DesktopVirtualization, stable 2024-04-03): the parts the tasks read.
 */
import { ImageReference } from '../azure/resourceIds';

export const AVD_API = '2024-04-03';

export interface HostPool {
  id: string;
  name: string;
  location?: string;
  properties?: {
    /** JSON text the portal writes: the session host template (image, size, domain...). */
    vmTemplate?: string;
  };
}

export interface SessionHost {
  /** `{pool}/{host FQDN}` */
  name: string;
  properties?: {
    /** The session host's VM id. */
    resourceId?: string;
  };
}

/** The host's own name: session hosts are listed as `{pool}/{host}`. */
export function sessionHostName(host: SessionHost): string {
  return host.name.split('/').pop() ?? host.name;
}

/** Image references in a host pool's vmTemplate (a JSON string): any value that is a gallery id. */
export function imageRefsIn(vmTemplate: string | undefined): ImageReference[] {
  if (!vmTemplate) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(vmTemplate);
  } catch {
    return [];
  }
  const refs: ImageReference[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string' && /\/providers\/Microsoft\.Compute\/galleries\//i.test(v))
      refs.push({ id: v });
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(doc);
  return refs;
}
