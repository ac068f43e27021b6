import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import type { Socket } from 'node:net';

/**
 * Which local user opened a loopback TCP connection to us. Linux lists every socket of the network
 * namespace with its owner's uid in /proc/net/tcp and /proc/net/tcp6; the client's end of the
 * connection is the line whose local address is the peer's and whose remote address is ours. The
 * entry cannot be taken over while the connection is open, so the answer is the kernel's, not the
 * client's word. Elsewhere (macOS, Windows), or for a peer that is not on loopback, it is undefined.
 */
export async function loopbackPeerUid(socket: Socket): Promise<number | undefined> {
  if (process.platform !== 'linux') return undefined;
  const peer = endpoint(socket.remoteAddress, socket.remotePort);
  const own = endpoint(socket.localAddress, socket.localPort);
  if (!peer || !own || !isLoopback(peer.ip)) return undefined;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(table, 'latin1');
    } catch {
      continue;
    }
    const uid = findOwner(text, peer, own);
    if (uid !== undefined) return uid;
  }
  return undefined;
}

interface Endpoint {
  ip: string;
  port: number;
}

const MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

function endpoint(address: string | undefined, port: number | undefined): Endpoint | undefined {
  if (!address || !port) return undefined;
  return { ip: address.replace(MAPPED, '$1').toLowerCase(), port };
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

/** One `/proc/net/tcp*` line's uid when its local end is `peer` and its remote end is `own`. */
function findOwner(table: string, peer: Endpoint, own: Endpoint): number | undefined {
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8) continue;
    const local = parseProcEndpoint(fields[1]!);
    const remote = parseProcEndpoint(fields[2]!);
    if (!local || !remote || !same(local, peer) || !same(remote, own)) continue;
    const uid = Number(fields[7]);
    return Number.isInteger(uid) ? uid : undefined;
  }
  return undefined;
}

const same = (a: Endpoint, b: Endpoint) => a.port === b.port && a.ip === b.ip;

/**
 * `0100007F:A4E1` -> 127.0.0.1 port 42209. The address is printed as 32-bit words in the host's
 * byte order (little-endian on x86 and ARM), each word's bytes therefore reversed there.
 */
function parseProcEndpoint(text: string): Endpoint | undefined {
  const [hex, portHex] = text.split(':');
  if (!hex || !portHex || (hex.length !== 8 && hex.length !== 32)) return undefined;
  const bytes = Buffer.from(hex, 'hex');
  if (endianness() === 'LE') for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  const port = parseInt(portHex, 16);
  if (bytes.length === 4) return { ip: [...bytes].join('.'), port };
  // IPv6: only the two loopback forms are ever looked up (::ffff:127.x.y.z and ::1).
  const zeros = (from: number, to: number) => bytes.subarray(from, to).every((b) => b === 0);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff)
    return { ip: [...bytes.subarray(12)].join('.'), port };
  if (zeros(0, 15) && bytes[15] === 1) return { ip: '::1', port };
  return undefined;
}
