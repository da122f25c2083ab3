// Before 1.17 the Cilium agent expanded ipBlock excepts itself and printed the prefixes with Go's
// net.IPNet.String, which prints one inside ::ffff:0:0/96 as IPv4: `::/0 except ::fffe:0:0/96`
// produced ::ffff:0:0/96, read as "0.0.0.0/0" (an audit of 2026-12-03, checked with `go run`).
import { expect, it } from 'vitest';
import { namespace, networkPolicy, node, pod, type Manifest } from '@netpolc/ir/testing';
import { codes, compile, disagreements, options } from './support/harness.js';

const cluster: Manifest[] = [namespace('x'), node('n', '10.0.0.1'), pod('x', 'a', { app: 'a' }, ['198.18.0.10', 'fd00:198:18::10'], { node: 'n' })];
const v6InternetOnly = (except: string) =>
  networkPolicy('x', 'v6', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '::/0', except: [except] } }] }] });
const at = (minor: number) => ({ version: [1, minor] as const, namespaceLabelsSuppressInjection: true });

it('refuses, before 1.17, an IPv6 block whose except the agent would expand into ::ffff:0:0/96 (every IPv4 address)', () => {
  for (const except of ['::fffe:0:0/96', '::fffe:0:1/128', '::fffe:8000:0/97']) {
    const c = compile([...cluster, v6InternetOnly(except)], options({ 'cilium-version': '1.16' }), at(16));
    expect(codes(c.diagnostics), except).toContain('backend-cilium/except-reads-as-ipv4');
    // Left out (the CLI writes nothing on an error): what remains is never wider.
    expect(disagreements(c, ['8.8.8.8', '2001:db8::1']).filter((d) => d.includes('kubernetes false')), except).toEqual([]);
  }
});

it('writes the block from 1.17 on, and before 1.17 when its excepts stay away from the mapped range', () => {
  const c17 = compile([...cluster, v6InternetOnly('::fffe:0:0/96')], options({ 'cilium-version': '1.17' }), at(17));
  expect(codes(c17.diagnostics)).not.toContain('backend-cilium/except-reads-as-ipv4');
  expect(disagreements(c17, ['8.8.8.8', '2001:db8::1'])).toEqual([]);
  // Inside another except, which the agent removes whole: no mapped prefix is produced.
  const nested = compile([...cluster, networkPolicy('x', 'v6', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '::/0', except: ['::/64', '::fffe:0:0/96'] } }] }] })], options({ 'cilium-version': '1.16' }), at(16));
  expect(codes(nested.diagnostics)).not.toContain('backend-cilium/except-reads-as-ipv4');
  expect(disagreements(nested, ['8.8.8.8', '2001:db8::1'])).toEqual([]);
  const elsewhere = compile([...cluster, v6InternetOnly('2001:db8::/32')], options({ 'cilium-version': '1.16' }), at(16));
  expect(codes(elsewhere.diagnostics)).not.toContain('backend-cilium/except-reads-as-ipv4');
  expect(disagreements(elsewhere, ['8.8.8.8', '2001:db8::1', '2001:db9::1'])).toEqual([]);
});
