#!/usr/bin/env python3
"""Sets sysctls in many network namespaces from one process (used by createTopology).

/proc/sys/net belongs to the network namespace of the thread that opens it, so after setns(2)
the same paths address the entered namespace; one process replaces one `ip netns exec sysctl`
per namespace. Request on stdin: [{"ns": "/run/netns/NAME", "set": [["net/ipv4/ip_forward", "1"],
...]}]; a path may contain one `*` (every interface), a path ending in `?` is optional (skipped
when the kernel lacks it, e.g. net/bridge without br_netfilter).
"""

import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe import setns  # noqa: E402


def main():
    request = json.load(sys.stdin)
    for entry in request:
        setns(entry['ns'])
        for path, value in entry['set']:
            optional = path.endswith('?')
            full = '/proc/sys/' + path.rstrip('?')
            targets = sorted(glob.glob(full)) if '*' in full else [full]
            for target in targets:
                if optional and not os.path.exists(target):
                    continue
                with open(target, 'w') as f:
                    f.write(value)


if __name__ == '__main__':
    main()
