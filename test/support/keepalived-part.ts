// What of a director's desired IPVS table keepalived would build from the same config: all but lbctl's own VIP-path
// services (a fwmark service per DR/TUN real server for its checks), which keepalived has no counterpart of.
import type { IpvsService } from '../../src/model/state.js';
import { isVipPathMark } from '../../src/topology/health.js';

/** The director's IPVS services but lbctl's VIP-path services: keepalived's part. */
export const keepalivedPart = (ipvs: IpvsService[]) => ipvs.filter((s) => s.id.protocol !== 'fwmark' || !isVipPathMark(s.id.mark));
