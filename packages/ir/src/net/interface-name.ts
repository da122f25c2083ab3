/** Longest Linux interface name: IFNAMSIZ is 16 bytes including the NUL. */
export const maxInterfaceName = 15;

/**
 * Why a pod interface name or prefix (`cali*`: a trailing `*` matches any suffix) is not one
 * both firewall backends can write as given, or undefined. Linux names are shorter than IFNAMSIZ
 * and have no `/`, `:` or whitespace (dev_valid_name); quotes and backslashes would change the
 * quoted text of a rule; only printable ASCII, so a name is as many bytes as characters. A `*`
 * elsewhere would be read as a literal star, a trailing `+` is iptables' own wildcard (a literal
 * `+` to nft: a rule matching no interface), and a bare `*` would take the node's uplinks too.
 */
export function interfaceNameProblem(text: string): string | undefined {
  const prefix = text.endsWith('*') ? text.slice(0, -1) : text;
  if (prefix === '') return text === '' ? 'an interface name must not be empty' : "a wildcard needs a prefix: * alone would also match the node's uplink";
  if (text.length > maxInterfaceName) return `at most ${maxInterfaceName} characters (Linux IFNAMSIZ)`;
  if (prefix === '.' || prefix === '..') return 'not a valid Linux interface name';
  if (prefix.includes('*')) return 'only a trailing * is a wildcard';
  if (prefix.endsWith('+')) return 'a trailing + is the iptables wildcard; write * for a wildcard';
  if (!/^[\x21-\x7e]+$/.test(prefix) || /[/:"'\\]/.test(prefix)) return 'printable ASCII without whitespace, /, :, quotes or backslashes';
  return undefined;
}
