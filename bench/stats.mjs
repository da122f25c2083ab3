// Per-node figures read back from emitted text, the same way for every run: rules and set
// elements per node (max and mean). Counting the printed text (not a backend's model) keeps the
// bench independent of backend internals; each counter is exact for the format it reads.

/** Counts for one node: rules and set (or ipset) elements. */
function iptablesNode(files) {
  let rules = 0;
  let elements = 0;
  for (const [path, text] of files) {
    if (path.endsWith('.ipset')) elements += count(text, /^add /gm);
    else rules += count(text, /^-A /gm);
  }
  return { rules, elements };
}

function nftablesNode(files) {
  let rules = 0;
  let elements = 0;
  for (const [, text] of files) {
    // Rules: statement lines inside chain blocks (not the `type ... hook ...` line).
    let inChain = false;
    let inElements = false;
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (inElements) {
        elements += count(line, /,/g) + (line.endsWith(',') || line === '}' ? 0 : 1);
        if (line.includes('}')) inElements = false;
        continue;
      }
      if (/^chain \S+ \{$/.test(line)) {
        inChain = true;
        continue;
      }
      if (inChain) {
        if (line === '}') inChain = false;
        else if (line !== '' && !line.startsWith('type ') && !line.startsWith('#') && !line.startsWith('comment ') && !line.startsWith('policy ')) rules++;
        continue;
      }
      const el = /^elements = \{(.*)$/.exec(line);
      if (el) {
        const rest = el[1];
        if (rest.includes('}')) elements += rest.split(',').filter((x) => x.replace('}', '').trim() !== '').length;
        else {
          elements += rest.split(',').filter((x) => x.trim() !== '').length;
          inElements = true;
        }
      }
    }
  }
  return { rules, elements };
}

function count(text, re) {
  return (text.match(re) ?? []).length;
}

function summary(values) {
  if (values.length === 0) return { max: 0, mean: 0 };
  return { max: Math.max(...values), mean: values.reduce((a, b) => a + b, 0) / values.length };
}

/** Per-node statistics of a per-node backend's files (`<node>.<ext>`). */
export function perNodeStats(backend, files) {
  if (backend !== 'iptables' && backend !== 'nftables') return undefined;
  const byNode = new Map();
  for (const f of files) {
    const node = f.path.replace(/\.[^.]+$/, '');
    if (!byNode.has(node)) byNode.set(node, []);
    byNode.get(node).push([f.path, f.content]);
  }
  const per = [...byNode.values()].map((fs) => (backend === 'iptables' ? iptablesNode(fs) : nftablesNode(fs)));
  return { nodes: byNode.size, rules: summary(per.map((p) => p.rules)), elements: summary(per.map((p) => p.elements)) };
}

/** Object and rule counts of a YAML backend (Calico, Cilium). */
export function objectStats(files) {
  let objects = 0;
  for (const f of files) objects += count(f.content, /^kind: /gm);
  return { objects };
}
