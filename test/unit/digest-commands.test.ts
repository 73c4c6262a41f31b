import { parse } from 'shell-quote';
import { describe, expect, it } from 'vitest';
import { renderDigest, shellArg } from '../../core/digest';
import { AGG, KEYS, digest, email, notice, only } from '../support/digests';

describe('the commands the e-mail prints', () => {
  it('quote every argument so a shell reads back exactly the values Config sent', () => {
    // Prepare: values no aggregator or account has, but nothing in the API forbids.
    const sourceId = `o-ab'c $(touch x) \`id\` "q" !! ~root *`;
    const region = 'eu west;rm -rf';
    const part = only(renderDigest(digest([notice('failure', { sourceId, region })]), KEYS));

    // Act
    const printed = /^ {6}history: {5}(npx aggwatch history .*)$/m.exec(email(part))?.[1] ?? '';

    // Assess
    expect(parse(printed)).toEqual(['npx', 'aggwatch', 'history', '--aggregator', AGG, '--source', sourceId, '--source-region', region]);
  });

  it('quote any argument so that it reads back unchanged (seeded random strings of shell metacharacters)', () => {
    // Prepare
    const alphabet = [...` !"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~aZ09é🚫\t`];
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const values = Array.from({ length: 500 }, () => Array.from({ length: 1 + Math.floor(next() * 10) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''));

    // Act
    const readBack = values.map((v) => parse(`x ${shellArg(v)}`));

    // Assess
    expect(readBack).toEqual(values.map((v) => ['x', v]));
  });

  it('leave the DynamoDB keys out when the caller gives no key layout', () => {
    // Act
    const text = email(only(renderDigest(digest([notice('failure')]))));

    // Assess
    expect(text).toContain('      history:     npx aggwatch history --aggregator org-agg --source 111111111111 --source-region eu-west-1\n');
    expect(text).not.toContain('DynamoDB');
  });
});
