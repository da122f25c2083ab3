// A generator of shapes the shared arbitraries miss: label keys Cilium filters out of identities
// (pod-template-hash, *.kubernetes.io) next to kept ones (app.kubernetes.io/*), keys Cilium owns
// (io.cilium.k8s.*), kubernetes.io/metadata.name selectors with every operator, pods that only
// differ by a filtered key, /32 and /31 ipBlocks around pods with excepts, dual-stack pods, wide
// endPort ranges, named ports whose numbers clash between pods, and two nodes.
import fc from 'fast-check';
import { namespace, networkPolicy, node, pod, type Manifest } from '@netpolc/ir/testing';

const podKeys = ['app', 'pod-template-hash', 'app.kubernetes.io/name', 'tier'] as const;
/** Selector keys: the filtered key rarely (it makes the backend refuse, with an error). */
const selectorKeys = ['app', 'app', 'tier', 'app.kubernetes.io/name', 'app.kubernetes.io/name', 'app', 'tier', 'pod-template-hash'] as const;
const values = ['a', 'b'] as const;
const nsKeys = ['team', 'kubernetes.io/metadata.name', 'env'] as const;
const nsValues = ['x', 'y', 'a'] as const;
const namedPorts: [string, number, 'TCP' | 'UDP' | 'SCTP'][][] = [
  [['web', 80, 'TCP']],
  [['web', 81, 'TCP']],
  [['web', 80, 'TCP'], ['dns', 81, 'UDP']],
  [['dns', 81, 'UDP'], ['sc', 81, 'SCTP']],
  [],
];

const selectorArb = (keys: readonly string[], vals: readonly string[]) =>
  fc.record(
    {
      matchLabels: fc.dictionary(fc.constantFrom(...keys), fc.constantFrom(...vals), { maxKeys: 1 }),
      matchExpressions: fc.array(
        fc.oneof(
          fc.record({ key: fc.constantFrom(...keys), operator: fc.constantFrom('In', 'NotIn'), values: fc.uniqueArray(fc.constantFrom(...vals), { minLength: 1, maxLength: 2 }) }),
          fc.record({ key: fc.constantFrom(...keys), operator: fc.constantFrom('Exists', 'DoesNotExist') }),
        ),
        { maxLength: 2 },
      ),
    },
    { requiredKeys: [] },
  );

export interface OwnScenario {
  readonly manifests: Manifest[];
}

export interface OwnScenarioOptions {
  /** Give node n1 an IPv6 address too. @defaultValue true */
  readonly dualStackNode?: boolean;
}

export function ownScenarioArb(options: OwnScenarioOptions = {}): fc.Arbitrary<OwnScenario> {
  const podArb = fc.record({
    ns: fc.constantFrom('x', 'y'),
    labels: fc.dictionary(fc.constantFrom(...podKeys), fc.constantFrom(...values), { maxKeys: 3 }),
    ports: fc.constantFrom(...namedPorts),
    v6: fc.boolean(),
    node: fc.constantFrom('n1', 'n2'),
  });
  const ipBlockArb = fc.constantFrom(
    { cidr: '10.0.0.0/24' },
    { cidr: '10.0.0.0/24', except: ['10.0.0.2/31'] },
    { cidr: '10.0.0.2/31' },
    { cidr: '10.0.0.1/32' },
    { cidr: '10.0.0.0/8', except: ['10.0.0.4/30'] },
    { cidr: '10.1.0.0/16' },
    { cidr: '0.0.0.0/0', except: ['10.0.0.0/29'] },
    { cidr: 'fd00::/64' },
    { cidr: 'fd00::/125', except: ['fd00::2/127'] },
    { cidr: '10.1.0.0/30' },
  );
  const peerArb = fc.oneof(
    selectorArb(selectorKeys, values).map((podSelector) => ({ podSelector })),
    selectorArb(nsKeys, nsValues).map((namespaceSelector) => ({ namespaceSelector })),
    fc.record({ podSelector: selectorArb(selectorKeys, values), namespaceSelector: selectorArb(nsKeys, nsValues) }),
    ipBlockArb.map((ipBlock) => ({ ipBlock })),
  );
  const portArb = fc.oneof(
    fc.record({ port: fc.constantFrom(80, 81), protocol: fc.constantFrom('TCP', 'UDP', 'SCTP') }),
    fc.record({ port: fc.constantFrom('web', 'dns', 'sc'), protocol: fc.constantFrom('TCP', 'UDP', 'SCTP') }),
    fc.record({ port: fc.constantFrom(1, 80), endPort: fc.constantFrom(81, 300, 65535), protocol: fc.constantFrom('TCP', 'UDP') }),
    fc.record({ protocol: fc.constantFrom('UDP', 'SCTP') }),
  );
  const ruleArb = (k: 'from' | 'to') => fc.record({ [k]: fc.array(peerArb, { maxLength: 2 }), ports: fc.array(portArb, { maxLength: 2 }) }, { requiredKeys: [] });
  const policyArb = fc.record({
    ns: fc.constantFrom('x', 'y'),
    podSelector: selectorArb(selectorKeys, values),
    policyTypes: fc.constantFrom(['Ingress'], ['Egress'], ['Ingress', 'Egress']),
    ingress: fc.array(ruleArb('from'), { maxLength: 2 }),
    egress: fc.array(ruleArb('to'), { maxLength: 2 }),
  });
  return fc
    .record({
      nsLabels: fc.tuple(fc.dictionary(fc.constantFrom('team', 'env'), fc.constantFrom(...nsValues), { maxKeys: 2 }), fc.dictionary(fc.constantFrom('team', 'env'), fc.constantFrom(...nsValues), { maxKeys: 2 })),
      pods: fc.array(podArb, { minLength: 1, maxLength: 5 }),
      policies: fc.array(policyArb, { minLength: 1, maxLength: 3 }),
    })
    .map(({ nsLabels, pods, policies }) => {
      const manifests: Manifest[] = [node('n1', options.dualStackNode === false ? ['10.1.0.1'] : ['10.1.0.1', 'fd01::1']), node('n2', '10.1.0.2'), namespace('x', nsLabels[0]), namespace('y', nsLabels[1])];
      pods.forEach((p, i) => {
        const ips = [`10.0.0.${i + 1}`, ...(p.v6 ? [`fd00::${i + 1}`] : [])];
        manifests.push(pod(p.ns, `p${i}`, p.labels, ips, { node: p.node, ports: p.ports }));
      });
      policies.forEach((p, i) => manifests.push(networkPolicy(p.ns, `np${i}`, { podSelector: p.podSelector, policyTypes: p.policyTypes, ingress: p.ingress, egress: p.egress })));
      return { manifests };
    });
}

export const ownExternal = ['10.0.0.200', '10.0.0.3', '203.0.113.9', '10.1.0.9', 'fd00::99', 'fd02::1'];
