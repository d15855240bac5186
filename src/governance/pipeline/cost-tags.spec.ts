import { GatewayError } from '../../common/errors/gateway-error.js';
import { costTags } from './cost-tags.js';

function refusal(run: () => unknown): { code: string; param: string | null } {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return { code: error.code, param: error.param };
    throw error;
  }
  throw new Error('no refusal');
}

describe(costTags.name, () => {
  it('reads name=value pairs from both sources, sorted, the header winning a repeated name', () => {
    expect(costTags(' team=search , feature=autocomplete,', 'team=ads,env=prod')).toEqual([
      'env=prod',
      'feature=autocomplete',
      'team=search',
    ]);
    expect(costTags(undefined, undefined)).toEqual([]);
    expect(costTags(['a=1', 'b=2'], undefined)).toEqual(['a=1', 'b=2']);
  });

  it('refuses malformed, oversized and overlong tag lists as validation_error naming the source', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `t${i}=v`).join(',');
    expect(refusal(() => costTags(many, undefined))).toEqual({
      code: 'validation_error',
      param: 'X-Dvara-Tags',
    });
    const seventeen = Array.from({ length: 17 }, (_, i) => `t${i}=v`).join(',');
    expect(refusal(() => costTags(seventeen, undefined)).param).toBe('X-Dvara-Tags');
    expect(refusal(() => costTags(`a=${'x'.repeat(1_000_000)}`, undefined)).param).toBe(
      'X-Dvara-Tags',
    );
    expect(refusal(() => costTags(undefined, 'flag')).param).toBe('metadata.tags');
    expect(refusal(() => costTags('bad name=x', undefined)).param).toBe('X-Dvara-Tags');
    expect(refusal(() => costTags('a=\u00e9', undefined)).param).toBe('X-Dvara-Tags');
  });
});
