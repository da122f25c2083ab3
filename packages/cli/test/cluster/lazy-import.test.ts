// @kubernetes/client-node costs about a second to import (toolchain.md §4): only a command that
// reads a cluster may load it. Checked twice: in-process, where a vi.mock factory counts the
// loads, and in a real process running the built CLI, where the library's CommonJS dependency
// node-fetch shows up in the require cache once the library is loaded.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { startFakeApiServer } from './fake-api-server.js';
import { readManifests, repoRoot, runCli, tempDir, writeKubeconfig } from './support.js';

const loads = vi.hoisted(() => ({ count: 0 }));
vi.mock('@kubernetes/client-node', async (importOriginal) => {
  loads.count++;
  return await importOriginal();
});

const example = ['--inventory', 'examples/cluster.yaml', 'examples/policies'];

it('does not load the client for commands that do not read a cluster', async () => {
  const runs = [
    ['validate', ...example],
    ['matrix', '--format', 'json', ...example],
    ['explain', '--from', 'production/frontend-7d9f-abcde', '--to', 'production/api-5c6b-pqrst', '--port', '8080', ...example],
    ['compile', '--backend', 'calico', '--out-dir', '-', ...example],
    ['snapshot', '--help'],
  ];
  for (const argv of runs) {
    const r = await runCli(argv, {});
    expect({ argv, code: r.code }).toEqual({ argv, code: 0 });
  }
  expect(loads.count).toBe(0);
  // Without any kubeconfig, --from-cluster fails before paying for the import.
  const none = await runCli(['validate', '--from-cluster'], { HOME: tempDir() });
  expect(none.code).toBe(2);
  expect(loads.count).toBe(0);
});

it('loads the client once --from-cluster is given', async () => {
  const server = await startFakeApiServer({ objects: readManifests([join(repoRoot, 'examples/cluster.yaml')]) });
  try {
    const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: writeKubeconfig(tempDir(), [{ name: 'fake', server: server.url }]) });
    expect(r.code).toBe(0);
    expect(loads.count).toBe(1);
  } finally {
    await server.close();
  }
});

it('does not load the client in a real process running the built CLI (dist)', () => {
  const main = new URL('../../dist/main.js', import.meta.url).href;
  const script = [
    `import { createRequire } from 'node:module';`,
    `const cached = () => Object.keys(createRequire(${JSON.stringify(main)}).cache).some((k) => k.includes('/node-fetch/'));`,
    `const { run } = await import(${JSON.stringify(main)});`,
    `const io = { stdout: { write() {} }, stderr: { write() {} }, cwd: ${JSON.stringify(repoRoot)}, env: {}, readStdin: async () => new Uint8Array() };`,
    `const code = await run(${JSON.stringify(['validate', ...example])}, io);`,
    `const before = cached();`,
    // Control: the probe does see the library once it is imported.
    `await import('@kubernetes/client-node');`,
    `process.stdout.write(JSON.stringify({ code, before, after: cached() }));`,
  ].join('\n');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: join(repoRoot, 'packages/cli'), encoding: 'utf8' });
  expect(JSON.parse(r.stdout)).toEqual({ code: 0, before: false, after: true });
});
