// The explain command's endpoints and port flags, as a user types them.
import { expect, it } from 'vitest';
import { parseEndpoint, parsePort, parseProtocol } from '../src/commands/parse-connection.js';
import { cli, example } from './run-cli.js';

it('reads ns/pod, ns/pod@IP and addresses, IPv6 in brackets too', () => {
  expect(parseEndpoint('--from', 'prod/web')).toEqual({ kind: 'pod', namespace: 'prod', name: 'web' });
  expect(parseEndpoint('--from', 'prod/web@fd00::1')).toEqual({ kind: 'pod', namespace: 'prod', name: 'web', ip: 'fd00::1' });
  expect(parseEndpoint('--from', 'prod/web@[fd00::1]')).toEqual({ kind: 'pod', namespace: 'prod', name: 'web', ip: 'fd00::1' });
  expect(parseEndpoint('--to', '[2001:db8::1]')).toEqual({ kind: 'ip', ip: '2001:db8::1' });
  expect(parseEndpoint('--to', '10.0.0.0/8')).toEqual({ kind: 'ip', ip: '10.0.0.0/8' });
});

it('refuses a pod without a name, or with a path for one (it was looked up as the pod named "")', () => {
  expect(() => parseEndpoint('--from', 'prod/')).toThrow('--from prod/ names no pod: give ns/pod, ns/pod@IP or an IP address');
  expect(() => parseEndpoint('--to', 'prod/web/x')).toThrow('--to prod/web/x names no pod');
  expect(() => parseEndpoint('--to', '')).toThrow('--to is required');
});

it('reads ports and protocols as the flags document them', () => {
  expect(parsePort('443')).toBe(443);
  expect(() => parsePort('0')).toThrow(/between 1 and 65535/);
  expect(() => parsePort('80.5')).toThrow(/between 1 and 65535/);
  expect(parseProtocol('sctp')).toBe('SCTP');
  expect(() => parseProtocol('icmp')).toThrow('--protocol must be TCP, UDP or SCTP, not icmp');
});

it('names the pod a bare pod name stands for', async () => {
  const r = await cli(['explain', '--from', 'db-0', '--to', '8.8.8.8', '--port', '53', ...example]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('netpolc explain: db-0 is not an IP address, and a pod is given with its namespace: production/db-0\n');
  const plain = await cli(['explain', '--from', 'nothing-like-it', '--to', '8.8.8.8', '--port', '53', ...example]);
  expect(plain.stderr).toContain('netpolc explain: nothing-like-it is not a valid IP address\n');
});
