// Synthetic clusters for `npm run bench`, deterministic for a fixed seed. Shape from
// shared/reference/performance.md §4: namespaces labelled team/env, pods labelled
// app/tier/version/pod-template-hash (~10 replicas per app, ~30 pods per node), policies with an
// app podSelector, ingress from tier=frontend and from a team namespaceSelector + app In [...],
// TCP 8080/9090, egress to 10.0.0.0/8 except 10.255.0.0/16 on UDP 53. Adversarial variants
// (performance.md §4, issue 9) stress one thing each.

/** Workload definitions: name -> shape. `variant` selects an adversarial twist. */
export const workloads = {
  small: { pods: 1_000, namespaces: 50, policies: 200, seed: 1 },
  medium: { pods: 5_000, namespaces: 200, policies: 1_000, seed: 2 },
  large: { pods: 25_000, namespaces: 1_000, policies: 5_000, seed: 3 },
  'kube-scale': { pods: 150_000, namespaces: 10_000, policies: 20_000, nodes: 5_000, seed: 4 },
  'antrea-stress': { pods: 100_000, namespaces: 25_000, policies: 75_000, nodes: 1_000, seed: 5 },
  'wide-peers': { pods: 5_000, namespaces: 200, policies: 1_000, seed: 6, variant: 'wide-peers' },
  'unique-labels': { pods: 5_000, namespaces: 200, policies: 1_000, seed: 7, variant: 'unique-labels' },
  'identical-policies': { pods: 5_000, namespaces: 200, policies: 2_000, seed: 8, variant: 'identical-policies' },
  'ipblock-heavy': { pods: 5_000, namespaces: 200, policies: 1_000, seed: 9, variant: 'ipblock-heavy' },
  'named-ports': { pods: 5_000, namespaces: 200, policies: 1_000, seed: 10, variant: 'named-ports' },
  'skewed-node': { pods: 5_000, namespaces: 200, policies: 1_000, seed: 11, variant: 'skewed-node' },
  services: { pods: 5_000, namespaces: 200, policies: 1_000, seed: 12, variant: 'services' },
};

/** What each workload stresses, for `npm run bench -- --list`. */
export const descriptions = {
  small: 'CI size',
  medium: 'felix#2032 / Kano 5k range',
  large: 'Kano / NPV range',
  'kube-scale': 'the Kubernetes envelope: 150k pods, 10k namespaces, 5k nodes',
  'antrea-stress': 'antrea#500/#566: 100k pods, 25k namespaces, 75k policies',
  'wide-peers': 'namespaceSelector: {} / podSelector: {} everywhere: cluster-wide peer sets',
  'unique-labels': 'a unique label per pod, one policy selecting each of a few such pods',
  'identical-policies': 'the same policy in every namespace (canonical-selector dedup)',
  'ipblock-heavy': '10k CIDRs with excepts',
  'named-ports': 'named ports mapping to different numbers per pod (ingress and egress rules)',
  'skewed-node': '110 pods on one node, all matching many policies',
  services: 'a Service per app (80 -> http, every third a LoadBalancer) and rules on Service ports, ClusterIPs and client CIDRs (the Service warnings)',
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
export function generate({ pods, namespaces, policies, seed, nodes: nodeCount, variant }) {
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
  const skewedNode = variant === 'skewed-node';
  for (let i = 0; i < pods; i++) {
    const ns = nsNames[i % namespaces];
    const app = `app-${Math.floor(i / namespaces) % appsPerNs}`;
    const labels = { app, tier: tiers[i % 3], version: `v${i % 4}`, 'pod-template-hash': (i * 2654435761 >>> 0).toString(16) };
    if (variant === 'unique-labels') labels['pod-uid'] = `uid-${i}`;
    if (skewedNode && i < 110) labels['hot'] = 'yes';
    // Named ports: the same names on every pod, different numbers from pod to pod.
    const ports = variant === 'named-ports'
      ? [{ name: 'http', containerPort: 8000 + (i % 50) }, { name: 'metrics', containerPort: 9000 + (i % 20) }]
      : [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }];
    objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${app}-${i}`, namespace: ns, labels },
      spec: {
        nodeName: skewedNode && i < 110 ? 'node-0' : `node-${Math.floor(rnd() * nodes)}`,
        containers: [{ name: 'main', image: 'registry.example/app:1', ports }],
      },
      status: { phase: 'Running', podIP: ip(i + 256), podIPs: [{ ip: ip(i + 256) }] },
    });
  }
  for (let i = 0; i < policies; i++) objects.push(policy(i, { nsNames, teams, appsPerNs, pick, rnd, variant, pods }));
  if (variant === 'services') {
    // After everything else, without the random source: the other workloads stay byte-identical.
    nsNames.forEach((ns, n) => {
      for (let a = 0; a < appsPerNs; a++) {
        const k = n * appsPerNs + a;
        const spec = { selector: { app: `app-${a}` }, clusterIP: `10.96.${(k >> 8) & 255}.${k & 255}`, ports: [{ name: 'web', port: 80, targetPort: 'http' }] };
        if (k % 3 === 0) spec.type = 'LoadBalancer';
        objects.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: `app-${a}`, namespace: ns }, spec });
      }
    });
  }
  return objects;
}

function policy(i, { nsNames, teams, appsPerNs, pick, rnd, variant, pods }) {
  const identical = variant === 'identical-policies';
  const ns = nsNames[i % nsNames.length];
  const app = identical ? 'app-0' : `app-${Math.floor(rnd() * appsPerNs)}`;
  let podSelector = { matchLabels: { app } };
  if (variant === 'unique-labels') podSelector = { matchLabels: { 'pod-uid': `uid-${Math.floor(rnd() * pods)}` } };
  if (variant === 'skewed-node') podSelector = i % 2 === 0 ? { matchLabels: { hot: 'yes' } } : podSelector;
  const namedPorts = variant === 'named-ports';
  const ingress = [
    { from: [{ podSelector: { matchLabels: { tier: 'frontend' } } }], ports: [{ protocol: 'TCP', port: namedPorts ? 'http' : 8080 }] },
    {
      from: [
        variant === 'wide-peers'
          ? { namespaceSelector: {}, podSelector: {} }
          : { namespaceSelector: { matchLabels: { team: identical ? teams[0] : teams[Math.floor(i / 10) % teams.length] } }, podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [identical ? 'app-0' : pick(['app-0', 'app-1']), 'app-2'] }] } },
      ],
      ports: [{ protocol: 'TCP', port: namedPorts ? 'metrics' : 9090 }],
    },
  ];
  const egress = [];
  if (variant === 'services') {
    // The mistakes the Service warnings are for: a client CIDR behind a LoadBalancer, a Service
    // port in an egress rule, an egress ipBlock around the ClusterIPs.
    ingress.push({ from: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ protocol: 'TCP', port: 8080 }] });
    egress.push({ to: [{ namespaceSelector: { matchLabels: { team: teams[i % teams.length] } }, podSelector: {} }], ports: [{ protocol: 'TCP', port: 80 }] });
    egress.push({ to: [{ ipBlock: { cidr: '10.96.0.0/12' } }], ports: [{ protocol: 'TCP', port: 80 }] });
  }
  if (variant === 'ipblock-heavy') {
    // Ten distinct /24s per policy, each with two excepts: 10k CIDRs over 1,000 policies.
    const blocks = Array.from({ length: 10 }, (_, k) => {
      const n = (i * 10 + k) % 60000;
      const base = `192.${(n >> 8) & 255}.${n & 255}`;
      return { ipBlock: { cidr: `${base}.0/24`, except: [`${base}.0/28`, `${base}.128/29`] } };
    });
    ingress.push({ from: blocks, ports: [{ protocol: 'TCP', port: 443 }] });
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `policy-${i}`, namespace: ns },
    spec: {
      podSelector,
      policyTypes: ['Ingress', 'Egress'],
      ingress,
      egress: [
        { to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.255.0.0/16'] } }], ports: [{ protocol: 'UDP', port: 53 }] },
        // Egress names resolve on each destination pod: the pods a peer selects are looked up per rule.
        ...(namedPorts ? [{ to: [{ podSelector: { matchLabels: { tier: 'backend' } } }, { namespaceSelector: { matchLabels: { team: teams[i % teams.length] } }, podSelector: { matchLabels: { tier: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 'http' }] }] : []),
        ...egress,
      ],
    },
  };
}
