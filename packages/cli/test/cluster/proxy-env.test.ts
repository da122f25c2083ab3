// The proxy chosen from HTTPS_PROXY/HTTP_PROXY/NO_PROXY, against the rules of Go's
// golang.org/x/net/http/httpproxy (what kubectl uses through http.ProxyFromEnvironment).
import { expect, it } from 'vitest';
import { proxyFromEnvironment } from '../../src/cluster/proxy-env.js';

const P = { HTTPS_PROXY: 'proxy:3128' };
const via = 'http://proxy:3128';

it.each([
  ['https://kube.example.com', P, via],
  ['https://127.0.0.1:6443', P, undefined],
  ['https://127.9.9.9:6443', P, undefined],
  ['https://[::1]:6443', P, undefined],
  ['https://localhost:6443', P, undefined],
  ['https://kube.example.com', { ...P, NO_PROXY: 'example.com' }, undefined],
  ['https://example.com', { ...P, NO_PROXY: ' Example.com ,other' }, undefined],
  ['https://example.com', { ...P, NO_PROXY: '.example.com' }, via],
  ['https://a.example.com', { ...P, NO_PROXY: '.example.com' }, undefined],
  ['https://a.example.com', { ...P, NO_PROXY: '*.example.com' }, undefined],
  ['https://notexample.com', { ...P, NO_PROXY: 'example.com' }, via],
  ['https://a.example.com:6443', { ...P, NO_PROXY: 'example.com:443' }, via],
  ['https://a.example.com', { ...P, NO_PROXY: 'example.com:443' }, undefined],
  ['https://10.1.2.3:6443', { ...P, NO_PROXY: '10.0.0.0/8' }, undefined],
  ['https://11.1.2.3:6443', { ...P, NO_PROXY: '10.0.0.0/8' }, via],
  ['https://[fd00::1]:6443', { ...P, NO_PROXY: 'fd00::/8' }, undefined],
  ['https://[fd00::1]:6443', { ...P, NO_PROXY: '[fd00::1]:6443' }, undefined],
  ['https://[fd00::1]:6443', { ...P, NO_PROXY: '[fd00::1]:443' }, via],
  ['https://1.2.3.4', { ...P, NO_PROXY: '1.2.3.4' }, undefined],
  ['https://1.2.3.4', { ...P, NO_PROXY: '2.3.4' }, via],
  ['https://x.example', { ...P, NO_PROXY: '*' }, undefined],
  ['https://bücher.example', { ...P, NO_PROXY: 'BÜCHER.example' }, undefined],
  ['http://x.example', P, undefined],
  ['http://x.example', { HTTP_PROXY: 'socks5://s:1080' }, 'socks5://s:1080'],
  ['https://x.example', { https_proxy: 'https://s:8443' }, 'https://s:8443'],
  ['https://x.example', { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:1' }, 'http://upper:1'],
  ['https://x.example', { HTTPS_PROXY: '', https_proxy: 'http://lower:1' }, 'http://lower:1'],
  ['https://x.example', { HTTPS_PROXY: '10.0.0.1:3128' }, 'http://10.0.0.1:3128'],
] as [string, Record<string, string>, string | undefined][])('%s with %j: %s', (url, env, want) => {
  expect(proxyFromEnvironment(new URL(url), env)).toBe(want);
});

it('refuses HTTP_PROXY for an http server in a CGI environment, as Go does', () => {
  expect(() => proxyFromEnvironment(new URL('http://x.example'), { HTTP_PROXY: 'p:1', REQUEST_METHOD: 'GET' })).toThrow(/CGI/);
});
