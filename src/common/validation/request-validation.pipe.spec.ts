import { describe, expect, it } from '@jest/globals';
import type { ArgumentMetadata } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsArray, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { ErrorCode } from '../errors/error-code.js';
import { GatewayError } from '../errors/gateway-error.js';
import { CheckBodyWith } from './body-check.decorator.js';
import {
  all,
  isArray,
  isString,
  maxLength,
  nested,
  objectShape,
  optional,
} from './object-shape.js';
import { MAX_NESTING_DEPTH } from './body-scan.js';
import { RequestValidationPipe, validateWithClassValidator } from './request-validation.pipe.js';

class ItemDto {
  @IsString()
  name!: string;
}

/** Validated by class-validator only, as the admin API's DTOs are. */
class OrderDto {
  @IsString()
  @MaxLength(3)
  code!: string;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ItemDto)
  items?: ItemDto[];
}

const checkItem = objectShape('ItemDto', { name: isString() });

/** The same DTO with a hand-written check, as the chat and embeddings bodies have. */
@CheckBodyWith(
  objectShape('CheckedOrderDto', {
    code: all(maxLength(3), isString()),
    items: optional(isArray(), nested(checkItem, { each: true })),
  }),
)
class CheckedOrderDto extends OrderDto {}

const pipe = new RequestValidationPipe();
const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({
  type: 'body',
  metatype,
});

function refusal(run: () => unknown) {
  try {
    run();
  } catch (err) {
    if (err instanceof GatewayError)
      return { code: err.code, param: err.param, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe(RequestValidationPipe.name, () => {
  it('leaves alone what is not a typed body', () => {
    const value = { anything: 1 };
    expect(pipe.transform(value, { type: 'query', metatype: OrderDto })).toBe(value);
    expect(pipe.transform(value, body(Object))).toBe(value);
    expect(pipe.transform(value, body(undefined))).toBe(value);
  });

  it.each([[[1, 2]], ['text'], [null]])('refuses the body %j as invalid_request', (value) => {
    for (const dto of [OrderDto, CheckedOrderDto]) {
      expect(refusal(() => pipe.transform(value, body(dto)))).toEqual({
        code: ErrorCode.InvalidRequest,
        param: null,
        message: 'The request body must be a JSON object.',
      });
    }
  });

  it('hands on a valid body of a checked DTO as parsed, and builds the instance otherwise', () => {
    const value = { code: 'abc', items: [{ name: 'x' }] };
    expect(pipe.transform(value, body(CheckedOrderDto))).toBe(value);
    const instance = pipe.transform(value, body(OrderDto));
    expect(instance).toBeInstanceOf(OrderDto);
    expect(instance).toEqual(value);
  });

  it.each([
    [
      'an unknown top-level field, named',
      { code: 'a', coupon: 'x' },
      ErrorCode.UnsupportedCapability,
      'coupon',
      "The field 'coupon' is not supported by this gateway.",
    ],
    [
      'an unknown nested field, with its path',
      { code: 'a', items: [{ name: 'x' }, { name: 'y', size: 2 }] },
      ErrorCode.ValidationError,
      'items[1].size',
      "Unknown field 'items[1].size'.",
    ],
    [
      'a failed constraint, the path in the message',
      { code: 'a', items: [{ name: 1 }] },
      ErrorCode.ValidationError,
      'items[0].name',
      'items[0].name must be a string',
    ],
    [
      'the first failure in declaration order',
      { items: 'x', code: 'abcd' },
      ErrorCode.ValidationError,
      'code',
      'code must be shorter than or equal to 3 characters',
    ],
  ])('refuses %s, whichever path validates', (_name, value, code, param, message) => {
    for (const dto of [OrderDto, CheckedOrderDto]) {
      expect(refusal(() => pipe.transform(value, body(dto)))).toEqual({ code, param, message });
    }
  });

  it('refuses a body nested deeper than the limit before either path walks it', () => {
    let deep: unknown = [];
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const refused = {
      code: ErrorCode.ValidationError,
      param: 'items',
      message: `items is nested too deeply: a request body may nest objects and arrays at most ${MAX_NESTING_DEPTH} levels deep.`,
    };
    for (const dto of [OrderDto, CheckedOrderDto]) {
      expect(refusal(() => pipe.transform({ code: 'a', items: deep }, body(dto)))).toEqual(refused);
      // A built-in key name deep inside changes nothing: the depth is checked first.
      const skipped = { code: 'a', items: [{ constructor: deep }] };
      expect(refusal(() => pipe.transform(skipped, body(dto)))).toEqual(refused);
    }
    expect(refusal(() => validateWithClassValidator(OrderDto, { code: 'a', items: deep }))).toEqual(
      refused,
    );
  });

  it('refuses a built-in key name by name, never dropping it silently or failing with a 500', () => {
    const value = JSON.parse(
      '{"code":"a","items":[{"name":"x","__proto__":{"polluted":true}}]}',
    ) as object;
    // The class-validator path cannot copy such a body: it names the key.
    expect(refusal(() => pipe.transform(value, body(OrderDto)))).toEqual({
      code: ErrorCode.ValidationError,
      param: 'items[0].__proto__',
      message:
        'items[0].__proto__ is named after a built-in object property (such as constructor), which is not accepted here',
    });
    // The hand-written check treats it as the unknown field it is.
    expect(refusal(() => pipe.transform(value, body(CheckedOrderDto)))).toEqual({
      code: ErrorCode.ValidationError,
      param: 'items[0].__proto__',
      message: "Unknown field 'items[0].__proto__'.",
    });
    const top = JSON.parse('{"code":"a","constructor":1}') as object;
    expect(refusal(() => pipe.transform(top, body(CheckedOrderDto)))).toMatchObject({
      code: ErrorCode.UnsupportedCapability,
      param: 'constructor',
    });
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
