import { describe, expect, it } from 'vitest';
import { parseNftTable } from '../../../src/drivers/nft/parse.js';
import { ParseError } from '../../../src/drivers/parse-error.js';
import { fixture } from '../../observed/fixtures.js';

describe('parseNftTable', () => {
  it('returns the ip and ip6 lbctl tables of a real ruleset, rules as sorted comments, others ignored', () => {
    expect(parseNftTable(fixture('netns/nft.json'))).toEqual([
      {
        family: 'ip',
        name: 'lbctl',
        rules: ['lbctl masquerade 10.0.0.0/8', 'lbctl snat 192.0.2.0/24 via v0', 'uncommented rule handle 4'],
        output: [],
      },
      { family: 'ip6', name: 'lbctl', rules: ['lbctl snat6 2001:db8:0:1::/64 via v0'], output: [] },
    ]);
  });

  it('returns nothing when there is no lbctl table', () => {
    expect(parseNftTable('{"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}}]}')).toEqual([]);
  });

  it('returns an empty lbctl table, and ignores an inet lbctl table lbctl does not manage', () => {
    const json = JSON.stringify({
      nftables: [
        { table: { family: 'inet', name: 'lbctl', handle: 1 } },
        { rule: { family: 'inet', table: 'lbctl', chain: 'c', handle: 2, expr: [] } },
        { table: { family: 'ip', name: 'lbctl', handle: 3 } },
      ],
    });
    expect(parseNftTable(json)).toEqual([{ family: 'ip', name: 'lbctl', rules: [], output: [] }]);
  });

  it("puts the output chain's rules (VIP-path marks) in `output`, the others in `rules`", () => {
    const json = JSON.stringify({
      nftables: [
        { table: { family: 'ip', name: 'lbctl', handle: 1 } },
        { rule: { family: 'ip', table: 'lbctl', chain: 'output', handle: 3, expr: [], comment: 'lbctl 2 vip-path web 10.0.0.2:80' } },
        { rule: { family: 'ip', table: 'lbctl', chain: 'postrouting', handle: 4, expr: [], comment: 'lbctl 3 fullnat web' } },
        { rule: { family: 'ip', table: 'lbctl', chain: 'output', handle: 2, expr: [], comment: 'lbctl 1 vip-path web 10.0.0.1:80' } },
      ],
    });
    expect(parseNftTable(json)).toEqual([
      {
        family: 'ip',
        name: 'lbctl',
        rules: ['lbctl 3 fullnat web'],
        output: ['lbctl 1 vip-path web 10.0.0.1:80', 'lbctl 2 vip-path web 10.0.0.2:80'],
      },
    ]);
  });

  it('rejects a malformed rule, naming where', () => {
    const json = JSON.stringify({
      nftables: [{ table: { family: 'ip', name: 'lbctl' } }, { rule: { family: 'ip', table: 'lbctl', handle: 'x' } }],
    });
    expect(() => parseNftTable(json)).toThrow(
      expect.objectContaining({ source: 'nft -j list ruleset', text: '$.nftables[1].rule.handle' }),
    );
    expect(() => parseNftTable('{"nftables": 1}')).toThrow(ParseError);
  });
});
