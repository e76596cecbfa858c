// The one shell quoter: what it quotes, sh reads back as the same words.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { heredocDelimiter, quoteArgv, quoteWord } from '../../../src/drivers/sh/quote.js';

const HARD = [`a'b"c $HOME \\n`, '', ' ', "'", '*', '~user', 'a;b', '$(id)', '`id`', 'tab\there', 'new\nline', 'é'];

describe('quoteWord and quoteArgv', () => {
  it('leave plain words alone', () => {
    expect(quoteArgv(['ip', 'addr', 'add', '10.0.0.1/32', 'dev', 'lo', 'net.ipv4.ip_forward=1', '@x', '%y', '+z', 'a,b:c'])).toBe(
      'ip addr add 10.0.0.1/32 dev lo net.ipv4.ip_forward=1 @x %y +z a,b:c',
    );
  });

  it.each(HARD)('quote %j so that sh reads it back unchanged', async (word) => {
    expect(quoteWord(word)).not.toBe(word);
    const { stdout } = await execa('sh', ['-c', `printf '%s\\0' ${quoteArgv([word, 'x'])}`]);
    expect(stdout.split('\0')).toEqual([word, 'x', '']);
  });
});

describe('heredocDelimiter', () => {
  it('picks a delimiter that is no line of the content', () => {
    expect(heredocDelimiter('a\nb\n')).toBe('LBCTL_EOF');
    expect(heredocDelimiter('LBCTL_EOF\nLBCTL_EOF_1\n')).toBe('LBCTL_EOF_2');
  });
});
