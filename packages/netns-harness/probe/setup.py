#!/usr/bin/env python3
"""Builds a planned topology for @netpolc/netns-harness in one process.

Request on stdin: {"ip": "/usr/sbin/ip", "rootBatch": "...", "namespaces": [{"ns": "/run/netns/NAME",
"sysctls": [["net/ipv4/ip_forward", "1"], ...], "batch": "..."}]}. Answer on stdout:
{"ok": true} or {"ok": false, "step": "...", "error": "..."}.

1. `ip -batch` in the caller's (root) namespace: only `netns add` and `link add ... netns X`
   lines, so the root namespace gains no interface.
2. For each namespace: setns(2) into it, write its sysctls (/proc/sys/net belongs to the netns
   of the thread that opens it), and start `ip -batch FILE` there: a child inherits the netns of
   the thread that forks it, so no `ip netns exec` (and no per-namespace process from Node) is
   needed, and the per-namespace batches run in parallel.

A sysctl path may contain `*` (every interface); a path ending in `?` is optional (skipped when
the kernel lacks it, e.g. net/bridge without br_netfilter).
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns import setns  # noqa: E402


def write_sysctls(settings):
    for path, value in settings:
        optional = path.endswith('?')
        full = '/proc/sys/' + path.rstrip('?')
        targets = sorted(glob.glob(full)) if '*' in full else [full]
        for target in targets:
            if optional and not os.path.exists(target):
                continue
            with open(target, 'w') as f:
                f.write(value)


def batch(ip, text, directory, name):
    path = os.path.join(directory, name)
    with open(path, 'w') as f:
        f.write(text)
    return subprocess.Popen([ip, '-batch', path], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(proc):
    _, err = proc.communicate()
    return proc.returncode, err.decode(errors='replace').strip()


# Enough to overlap process start-up with kernel work; bounded so a large topology does not
# fork thousands of processes at once.
MAX_PARALLEL = 16


def wait_for(job):
    ns, proc = job
    code, err = finish(proc)
    return [] if code == 0 else [(ns, err)]


def main():
    request = json.load(sys.stdin)
    ip = request['ip']
    directory = tempfile.mkdtemp(prefix='netns-harness-')
    home = os.open('/proc/self/ns/net', os.O_RDONLY | os.O_CLOEXEC)
    try:
        code, err = finish(batch(ip, request['rootBatch'], directory, 'root'))
        if code != 0:
            return {'ok': False, 'step': 'creating namespaces and links', 'error': err}
        running = []
        failures = []
        try:
            for index, entry in enumerate(request['namespaces']):
                setns(entry['ns'])
                try:
                    write_sysctls(entry['sysctls'])
                except OSError as e:
                    return {'ok': False, 'step': 'sysctls of %s' % entry['ns'], 'error': str(e)}
                if len(running) >= MAX_PARALLEL:
                    failures.extend(wait_for(running.pop(0)))
                running.append((entry['ns'], batch(ip, entry['batch'], directory, 'ns%d' % index)))
        finally:
            setns(home)
            for job in running:
                failures.extend(wait_for(job))
        if failures:
            ns, err = failures[0]
            return {'ok': False, 'step': 'configuring %s' % os.path.basename(ns), 'error': err}
        return {'ok': True}
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == '__main__':
    sys.stdout.write(json.dumps(main()))
