#!/usr/bin/env node
// Bench of an inventory as large as kubectl prints it at Kubernetes' limits: the kube-scale
// cluster (150k pods, 10k namespaces, 5k nodes, 20k policies) with pods of realistic size
// (containers with env, resources, probes and the service-account volume; owner references;
// status conditions and container statuses), indented as `kubectl get -o json` indents, without
// managedFields (kubectl leaves them out since 1.21). About 12 KB a pod: one List longer than
// V8's largest string, which neither `JSON.parse` nor a whole-text reading can take (issue 9); as
// JSON, or with --yaml as YAML (kubectl's layout, printed by the CLI's snapshot printer).
//   node bench/real-size.mjs [--yaml] [backend...]      (default: nftables iptables; --yaml: as kubectl get -o yaml prints it)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { generate, workloads } from './workloads.mjs';
import { toYaml } from '../packages/cli/dist/cluster/to-yaml.js';

const here = new URL('.', import.meta.url).pathname;
const dataDir = join(here, '.data');
const stamp = createHash('sha256')
  .update(readFileSync(join(here, 'workloads.mjs')))
  .update(readFileSync(new URL(import.meta.url)))
  .digest('hex')
  .slice(0, 16);

const hex = (n, width) => createHash('sha256').update(String(n)).digest('hex').slice(0, width);
const time = '2026-11-01T10:00:00Z';

/** A generated pod with what a real one carries besides (the fields netpolc reads stay as they were). */
function realistic(pod, i) {
  const { metadata, spec, status } = pod;
  const app = metadata.labels.app ?? 'app';
  const container = spec.containers[0];
  const volume = `kube-api-access-${hex(i, 5)}`;
  const probe = (path) => ({ failureThreshold: 3, httpGet: { path, port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 5, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 1 });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      annotations: { 'kubectl.kubernetes.io/restartedAt': time, 'prometheus.io/port': '9090', 'prometheus.io/scrape': 'true' },
      creationTimestamp: time,
      generateName: `${app}-${metadata.labels['pod-template-hash'] ?? 'x'}-`,
      labels: metadata.labels,
      name: metadata.name,
      namespace: metadata.namespace,
      ownerReferences: [{ apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: 'ReplicaSet', name: `${app}-${hex(i >> 3, 10)}`, uid: hex(`rs${i >> 3}`, 32) }],
      resourceVersion: String(1_000_000 + i),
      uid: hex(`pod${i}`, 32),
    },
    spec: {
      containers: [
        {
          ...container,
          env: Array.from({ length: 12 }, (_, k) => ({ name: `SETTING_${k}`, value: `value-${k}-${app}` })),
          imagePullPolicy: 'IfNotPresent',
          livenessProbe: probe('/livez'),
          readinessProbe: probe('/readyz'),
          resources: { limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          volumeMounts: [{ mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: volume, readOnly: true }],
        },
      ],
      dnsPolicy: 'ClusterFirst',
      enableServiceLinks: true,
      nodeName: spec.nodeName,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      serviceAccount: 'default',
      serviceAccountName: 'default',
      terminationGracePeriodSeconds: 30,
      tolerations: ['not-ready', 'unreachable'].map((t) => ({ effect: 'NoExecute', key: `node.kubernetes.io/${t}`, operator: 'Exists', tolerationSeconds: 300 })),
      volumes: [
        {
          name: volume,
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } },
              { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
            ],
          },
        },
      ],
    },
    status: {
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ lastProbeTime: null, lastTransitionTime: time, status: 'True', type })),
      containerStatuses: [
        {
          containerID: `containerd://${hex(`c${i}`, 64)}`,
          image: container.image,
          imageID: `${container.image.split(':')[0]}@sha256:${hex(container.image, 64)}`,
          lastState: {},
          name: container.name,
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: time } },
        },
      ],
      hostIP: '172.16.0.1',
      hostIPs: [{ ip: '172.16.0.1' }],
      phase: status.phase,
      podIP: status.podIP,
      podIPs: status.podIPs,
      qosClass: 'Burstable',
      startTime: time,
    },
  };
}

/** Writes the List, a line of text at a time, unless the stamp says it is there. */
function ensureData(path, stampPath, write) {
  if (existsSync(path) && existsSync(stampPath) && readFileSync(stampPath, 'utf8') === stamp) return;
  mkdirSync(dataDir, { recursive: true });
  const objects = generate(workloads['kube-scale']);
  const fd = openSync(path, 'w');
  let podIndex = 0;
  write((text) => writeSync(fd, text), objects.map((o) => (o.kind === 'Pod' ? realistic(o, podIndex++) : o)));
  closeSync(fd);
  writeFileSync(stampPath, stamp);
}

/** kubectl's JSON layout: four spaces per level, the items two levels in. */
function writeJson(out, items) {
  out('{\n    "apiVersion": "v1",\n    "items": [\n');
  items.forEach((item, i) => out(`        ${JSON.stringify(item, null, 4).replaceAll('\n', '\n        ')}${i + 1 < items.length ? ',' : ''}\n`));
  out('    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n');
}

/** kubectl's YAML layout: items (and every sequence) at the column of their key. */
function writeYaml(out, items) {
  out('apiVersion: v1\nitems:\n');
  // The CLI's snapshot printer prints as kubectl does; `items:` and its newline are cut off.
  for (const item of items) out(toYaml({ items: [item] }).slice('items:\n'.length));
  out('kind: List\nmetadata:\n  resourceVersion: ""\n');
}

const args = process.argv.slice(2);
const yaml = args.includes('--yaml');
const file = join(dataDir, yaml ? 'real-size.yaml' : 'real-size.json');
ensureData(file, join(dataDir, yaml ? 'real-size-yaml.stamp' : 'real-size.stamp'), yaml ? writeYaml : writeJson);
const size = statSync(file).size;
console.log(`real-size: kube-scale with pods of realistic size, ${(size / 1e6).toFixed(0)} MB of ${yaml ? 'YAML' : 'JSON'} (V8's largest string: 536.9M characters)`);
const named = args.filter((a) => a !== '--yaml');
const backends = named.length > 0 ? named : ['nftables', 'iptables'];
for (const backend of backends) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', join(here, 'measure.mjs'), file, backend], { encoding: 'utf8', cwd: join(here, '..'), maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    console.log(`  ${backend}: failed: ${(r.stderr || r.stdout).split('\n').slice(-5).join(' ')}`);
    continue;
  }
  const m = JSON.parse(r.stdout);
  const s = (ms) => `${(ms / 1000).toFixed(2)}s`;
  const floor = m.floorMs === null ? 'no floor (no parser takes a text this long whole)' : `floor ${s(m.floorMs)}`;
  console.log(`  ${backend.padEnd(8)} ${floor}, load ${s(m.loadMs)}, resolve ${s(m.resolveMs)}, emit ${s(m.emitMs)}, write ${s(m.writeMs)}, whole ${s(m.totalMs)}, peak RSS ${Math.round(m.maxRssMb)}MB, ${m.pods} pods, ${m.errors} errors, ${m.files} files`);
}
