// Synthetic clusters for `npm run bench`, deterministic for a fixed seed. Shape from
// shared/reference/performance.md §4: namespaces labelled team/env, pods labelled
// app/tier/version/pod-template-hash (~10 replicas per app, ~30 pods per node), policies with an
// app podSelector, ingress from tier=frontend and from a team namespaceSelector + app In [...],
// TCP 8080/9090, egress to 10.0.0.0/8 except 10.255.0.0/16 on UDP 53.

/** Workload definitions: name -> size. */
export const workloads = {
  small: { pods: 1_000, namespaces: 50, policies: 200, seed: 1 },
  medium: { pods: 5_000, namespaces: 200, policies: 1_000, seed: 2 },
  large: { pods: 25_000, namespaces: 1_000, policies: 5_000, seed: 3 },
  'kube-scale': { pods: 150_000, namespaces: 10_000, policies: 20_000, seed: 4, nodes: 5_000 },
};

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tiers = ['frontend', 'backend', 'data'];

function ip(i) {
  // 10.0.0.0/8 minus 10.255.0.0/16: the generated egress except never hits a pod.
  return `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}

/** Generates the objects of a workload as plain Kubernetes manifests. */
export function generate({ pods, namespaces, policies, seed, nodes: nodeCount }) {
  const rnd = mulberry32(seed);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const nodes = nodeCount ?? Math.max(1, Math.ceil(pods / 30));
  const objects = [];
  for (let n = 0; n < nodes; n++) {
    objects.push({ apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${n}`, labels: { 'kubernetes.io/hostname': `node-${n}` } }, status: { addresses: [{ type: 'InternalIP', address: `172.16.${(n >> 8) & 255}.${n & 255}` }] } });
  }
  // About ten namespaces per team, so a team selector picks a few hundred pods (the shape of
  // performance.md: kube-scale ~20k distinct peer sets, ~137k members, ~28 members per node).
  const teams = Array.from({ length: Math.max(4, Math.ceil(namespaces / 10)) }, (_, i) => `team-${i}`);
  const nsNames = [];
  for (let i = 0; i < namespaces; i++) {
    const name = `ns-${i}`;
    nsNames.push(name);
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { team: teams[i % teams.length], env: i % 3 === 0 ? 'prod' : 'dev' } } });
  }
  const appsPerNs = Math.max(1, Math.round(pods / namespaces / 10));
  for (let i = 0; i < pods; i++) {
    const ns = nsNames[i % namespaces];
    const app = `app-${Math.floor(i / namespaces) % appsPerNs}`;
    objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${app}-${i}`, namespace: ns, labels: { app, tier: tiers[i % 3], version: `v${i % 4}`, 'pod-template-hash': (i * 2654435761 >>> 0).toString(16) } },
      spec: {
        nodeName: `node-${Math.floor(rnd() * nodes)}`,
        containers: [{ name: 'main', image: 'registry.example/app:1', ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }] }],
      },
      status: { phase: 'Running', podIP: ip(i + 256), podIPs: [{ ip: ip(i + 256) }] },
    });
  }
  for (let i = 0; i < policies; i++) {
    const ns = nsNames[i % namespaces];
    const app = `app-${Math.floor(rnd() * appsPerNs)}`;
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `policy-${i}`, namespace: ns },
      spec: {
        podSelector: { matchLabels: { app } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          { from: [{ podSelector: { matchLabels: { tier: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
          {
            from: [{ namespaceSelector: { matchLabels: { team: teams[Math.floor(i / 10) % teams.length] } }, podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [pick(['app-0', 'app-1']), 'app-2'] }] } }],
            ports: [{ protocol: 'TCP', port: 9090 }],
          },
        ],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.255.0.0/16'] } }], ports: [{ protocol: 'UDP', port: 53 }] }],
      },
    });
  }
  return objects;
}
