// --from-cluster with Services: local files replace the cluster's Services as kubectl apply would.
import { expect, it } from 'vitest';
import { replacingProgram, selectObjects, slimObject, type ClusterRead } from '../../src/cluster/index.js';

// An ExternalName Service has no ports or addresses to warn about, but it still replaces the
// cluster's stale ClusterIP Service, whose warnings would otherwise be given.
it('a local ExternalName Service replaces the cluster Service of the same name', () => {
  const clusterService = slimObject('Service', {
    metadata: { name: 'web', namespace: 'prod' },
    spec: { type: 'ClusterIP', selector: { app: 'web' }, clusterIP: '10.96.0.10', ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
  })!;
  const read: ClusterRead = { context: 'c', server: 'https://c', namespaces: [], objects: [clusterService] };
  const local = [{ path: 'svc.yaml', content: 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: prod}\nspec: {type: ExternalName, externalName: web.example.com}\n' }];
  const kept = selectObjects(read, 'all', replacingProgram({}, local));
  expect(kept.map((o) => `${o.kind}/${o.namespace}/${o.name}`)).toEqual([]);
});
