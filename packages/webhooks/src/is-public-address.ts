import { isIPv4, isIPv6 } from 'node:net';

// Which IP addresses a webhook may be delivered to. IPv4 is refused by ranges (RFC 6890 and
// friends); IPv6 is allowed only inside global unicast 2000::/3 and outside its special ranges,
// and addresses that embed an IPv4 address (mapped, NAT64, 6to4) are judged by that address.

type Range = readonly [base: bigint, bits: number];

function ipv4Range(cidr: string): Range {
  const [base, bits] = cidr.split('/') as [string, string];
  return [parseIPv4(base), Number(bits)];
}

function ipv6Range(cidr: string): Range {
  const [base, bits] = cidr.split('/') as [string, string];
  return [parseIPv6(base), Number(bits)];
}

/** Not public: private, loopback, link-local, shared, reserved, documentation, multicast... */
const IPV4_REFUSED: readonly Range[] = [
  '0.0.0.0/8', // "this network", 0.0.0.0 unspecified
  '10.0.0.0/8', // private
  '100.64.0.0/10', // carrier-grade NAT (also Alibaba Cloud's metadata 100.100.100.200)
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local, cloud metadata 169.254.169.254
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // documentation TEST-NET-1
  '192.88.99.0/24', // 6to4 relay anycast (deprecated)
  '192.168.0.0/16', // private
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation TEST-NET-2
  '203.0.113.0/24', // documentation TEST-NET-3
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, 255.255.255.255 broadcast
  '168.63.129.16/32', // Azure's platform endpoint (metadata, DHCP, DNS) inside public space
].map(ipv4Range);

const IPV6_GLOBAL_UNICAST = ipv6Range('2000::/3');
const IPV6_IPV4_MAPPED = ipv6Range('::ffff:0:0/96');
const IPV6_NAT64 = ipv6Range('64:ff9b::/96');
const IPV6_6TO4 = ipv6Range('2002::/16');

/** Special ranges inside 2000::/3. */
const IPV6_REFUSED: readonly Range[] = [
  '2001::/23', // IETF protocol assignments: Teredo 2001::/32, benchmarking, ORCHID
  '2001:db8::/32', // documentation
  '3fff::/20', // documentation (RFC 9637)
].map(ipv6Range);

function within(value: bigint, [base, bits]: Range, width: number): boolean {
  const shift = BigInt(width - bits);
  return value >> shift === base >> shift;
}

function parseIPv4(text: string): bigint {
  return text.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

/** Parses an address `net.isIPv6` accepts (zone already removed) into 128 bits. */
function parseIPv6(text: string): bigint {
  const halves = text.split('::');
  const groups = halves.map((half) => {
    const parts = half === '' ? [] : half.split(':');
    const last = parts.at(-1);
    if (last?.includes('.')) {
      const ipv4 = parseIPv4(last);
      parts.splice(-1, 1, (ipv4 >> 16n).toString(16), (ipv4 & 0xffffn).toString(16));
    }
    return parts.map((part) => BigInt(Number.parseInt(part, 16)));
  });
  const head = groups[0] ?? [];
  const tail = groups[1] ?? [];
  const words = [...head, ...Array<bigint>(8 - head.length - tail.length).fill(0n), ...tail];
  return words.reduce((value, word) => (value << 16n) | word, 0n);
}

function isPublicIPv4(value: bigint): boolean {
  return !IPV4_REFUSED.some((range) => within(value, range, 32));
}

function isPublicIPv6(value: bigint): boolean {
  if (within(value, IPV6_IPV4_MAPPED, 128) || within(value, IPV6_NAT64, 128)) {
    return isPublicIPv4(value & 0xffffffffn);
  }
  if (within(value, IPV6_6TO4, 128)) return isPublicIPv4((value >> 80n) & 0xffffffffn);
  // Everything outside global unicast is loopback, unspecified, IPv4-compatible, ULA,
  // link-local, site-local, multicast, discard-only or not allocated.
  return within(value, IPV6_GLOBAL_UNICAST, 128) && !IPV6_REFUSED.some((range) => within(value, range, 128));
}

/** Spellings the URL parser (and inet_aton) read as IPv4: `0x7f.1`, `2130706433`, `0177.0.0.1`. */
const LOOSE_IPV4 = /^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}\.?$/i;

function normalizeIPv4(text: string): string | undefined {
  if (isIPv4(text)) return text;
  if (!LOOSE_IPV4.test(text)) return undefined;
  try {
    const { hostname } = new URL(`http://${text}/`);
    return isIPv4(hostname) ? hostname : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a webhook may be sent to this address: false for private, loopback, link-local,
 * unspecified, multicast, broadcast, shared (CGNAT), benchmarking, documentation and metadata
 * addresses, for IPv6 ULA, link-local and loopback, for IPv4-mapped, NAT64 and 6to4 forms of
 * those, and for anything that is not an IP address at all (fail closed). Accepts `[v6]`,
 * zone ids (`fe80::1%eth0`) and the IPv4 spellings the URL parser normalises.
 */
export function isPublicAddress(address: string): boolean {
  const text = address.trim().replace(/^\[(.*)\]$/, '$1');
  const withoutZone = text.replace(/%.*$/, '');
  if (text.includes(':')) return isIPv6(withoutZone) && isPublicIPv6(parseIPv6(withoutZone));
  const ipv4 = normalizeIPv4(text);
  return ipv4 !== undefined && isPublicIPv4(parseIPv4(ipv4));
}
