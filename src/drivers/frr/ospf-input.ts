// Guards on an OspfConfig before it becomes config text: every value must be one word of the expected shape,
// so no name, area or number can break a line or smuggle in a command.
import type { OspfConfig, OspfInterface } from '../../model/routing.js';
import { parseCidr } from '../../net/ip.js';

const WORD = /^[!-~]+$/;
const DOTTED_QUAD = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function fail(field: string, value: unknown, rule: string): never {
  throw new RangeError(`OSPF config: ${field} ${JSON.stringify(value)} ${rule}`);
}

function word(field: string, value: string): void {
  if (!WORD.test(value)) fail(field, value, 'must be one word of printable characters');
}

function integer(field: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
    fail(field, value, `must be an integer from ${min} to ${max}`);
  }
}

function area(field: string, value: string): void {
  const decimal = /^\d{1,10}$/.test(value) && Number(value) <= 4294967295;
  if (!decimal && !DOTTED_QUAD.test(value)) fail(field, value, 'must be A.B.C.D or 0-4294967295');
}

function checkInterface(iface: OspfInterface, at: string): void {
  word(`${at}.name`, iface.name);
  integer(`${at}.cost`, iface.cost, 1, 65535);
  integer(`${at}.hello`, iface.hello, 1, 65535);
  integer(`${at}.dead`, iface.dead, 1, 65535);
  integer(`${at}.retransmit`, iface.retransmit, 1, 65535);
}

/** Throws a RangeError naming the first field of cfg that cannot be written as a quagga/FRR config word. */
export function assertRenderable(cfg: OspfConfig): void {
  word('hostname', cfg.hostname);
  if (!DOTTED_QUAD.test(cfg.routerId)) fail('routerId', cfg.routerId, 'must be an IPv4 address');
  if (cfg.password !== undefined) word('password', cfg.password);
  integer('maximumPaths', cfg.maximumPaths, 1, 64);
  cfg.networks.forEach((n, i) => {
    const [address = '', length] = n.prefix.split('/');
    if (length === undefined || !DOTTED_QUAD.test(address) || parseCidr(n.prefix) === null) {
      fail(`networks[${i}].prefix`, n.prefix, 'must be an IPv4 prefix A.B.C.D/M');
    }
    area(`networks[${i}].area`, n.area);
  });
  cfg.interfaces.forEach((iface, i) => checkInterface(iface, `interfaces[${i}]`));
  cfg.interfaces6?.forEach((iface, i) => {
    checkInterface(iface, `interfaces6[${i}]`);
    area(`interfaces6[${i}].area`, iface.area);
  });
  cfg.timers.spfThrottle?.forEach((ms, i) => integer(`timers.spfThrottle[${i}]`, ms, 0, 600000));
  integer('timers.lsaThrottle', cfg.timers.lsaThrottle, 0, 5000);
  integer('timers.lsaMinArrival', cfg.timers.lsaMinArrival, 0, 600000);
}
