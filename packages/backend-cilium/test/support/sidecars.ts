// Stands in for the IR until it keeps native sidecars' ports apart (src/sidecars.ts): reads the
// named ports of every init container with restartPolicy: Always from the raw pod manifests and
// gives the loaded pods the `sidecarPorts` list the backend reads.
import type { Pod, Program, Protocol } from '@netpolc/ir';
import type { Manifest } from '@netpolc/ir/testing';
import type { SidecarPort } from '../../src/sidecars.js';

type Fields = Record<string, unknown>;
const fields = (v: unknown): Fields => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Fields) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** `namespace/name` → the named ports of the pod's native sidecars (pods that have some). */
export function sidecarPortsIn(manifests: readonly Manifest[]): Map<string, SidecarPort[]> {
  const out = new Map<string, SidecarPort[]>();
  for (const m of manifests) {
    if (m['kind'] !== 'Pod') continue;
    const meta = fields(m['metadata']);
    const ports: SidecarPort[] = [];
    for (const c of list(fields(m['spec'])['initContainers']).map(fields)) {
      if (c['restartPolicy'] !== 'Always') continue;
      for (const p of list(c['ports']).map(fields)) {
        if (typeof p['name'] !== 'string' || p['name'] === '') continue;
        ports.push({ container: String(c['name']), name: p['name'], port: Number(p['containerPort']), protocol: (p['protocol'] ?? 'TCP') as Protocol });
      }
    }
    if (ports.length > 0) out.set(`${String(meta['namespace'] ?? 'default')}/${String(meta['name'])}`, ports);
  }
  return out;
}

/** The program with `sidecarPorts` on the pods that have sidecar named ports (unchanged when none do). */
export function withSidecarPorts(program: Program, manifests: readonly Manifest[]): Program {
  const byPod = sidecarPortsIn(manifests);
  if (byPod.size === 0) return program;
  const pods = program.inventory.pods.map((p): Pod => {
    const sidecarPorts = byPod.get(`${p.namespace}/${p.name}`);
    return sidecarPorts ? ({ ...p, sidecarPorts } as Pod) : p;
  });
  return { ...program, inventory: { ...program.inventory, pods } };
}
