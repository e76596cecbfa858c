// The copies a change carries (plan/types.ts) keep every field of the object they copy: a field added to
// IpvsService or IpvsDestination fails to type-check here (the fixtures are Required<…>) until the copy takes it.
import { describe, expect, it } from 'vitest';
import type { IpvsDestination, IpvsService, IpvsServiceId } from '../../src/model/state.js';
import { destinationSpec, serviceSpec } from '../../src/plan/types.js';

const id: IpvsServiceId = { protocol: 'tcp', address: '10.0.0.100', port: 80 };

const observed: Required<IpvsDestination> = {
  address: '10.0.0.11',
  port: 80,
  forward: 'gate',
  weight: 3,
  upper: 100,
  lower: 10,
  activeConns: 4,
  inactiveConns: 2,
};

const service: Required<IpvsService> = {
  id,
  scheduler: 'wrr',
  flags: ['sh-port'],
  persistence: { timeout: 300, netmask: '255.255.255.0' },
  onePacket: false,
  destinations: [observed],
};

describe('the objects a change carries', () => {
  it('a destination keeps every field, in its order, and gains its service', () => {
    const spec = destinationSpec(observed, id);
    expect(spec).toStrictEqual({ ...observed, service: id });
    expect(Object.keys(spec)).toEqual([...Object.keys(observed), 'service']);
  });

  it('a desired destination (no connection counts) gets no connection-count keys', () => {
    const { activeConns: _a, inactiveConns: _i, ...desired } = observed;
    const spec = destinationSpec(desired, id);
    expect(spec).toStrictEqual({ ...desired, service: id });
    expect(Object.keys(spec)).toEqual([...Object.keys(desired), 'service']);
  });

  it('a service keeps every field but its destinations, in its order', () => {
    const { destinations: _d, ...attrs } = service;
    const spec = serviceSpec(service);
    expect(spec).toStrictEqual(attrs);
    expect(Object.keys(spec)).toEqual(Object.keys(attrs));
  });
});
