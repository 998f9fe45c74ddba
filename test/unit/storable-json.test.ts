import { describe, expect, it } from 'vitest';
import { findUnstorableJson, MAX_DATA_DEPTH } from '../../src/domain/storable-json.js';

const nested = (levels: number) => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

describe('findUnstorableJson', () => {
  it('accepts ordinary JSON, including keys a database might find odd but stores', () => {
    expect(findUnstorableJson({ message: { id: 'm', to: ['a@b.c'], '': 1, ' ': 2, a$: 3, ключ: 4, n: null } })).toBeUndefined();
    expect(findUnstorableJson(nested(MAX_DATA_DEPTH))).toBeUndefined();
  });

  it('names the first key that starts with $ or contains . or NUL, at any depth', () => {
    expect(findUnstorableJson({ $where: 1 })?.path).toEqual(['$where']);
    expect(findUnstorableJson({ message: { headers: { 'x.y': 1 } } })?.path).toEqual(['message', 'headers', 'x.y']);
    expect(findUnstorableJson({ list: [{ 'k\u0000': 1 }] })?.path).toEqual(['list', 0, 'k\u0000']);
  });

  it('refuses arrays directly inside arrays, and nesting past the limit, without recursing', () => {
    expect(findUnstorableJson({ points: [[1, 2]] })?.path).toEqual(['points', 0]);
    expect(findUnstorableJson(nested(MAX_DATA_DEPTH + 1))?.message).toMatch(/nested deeper/);
    expect(findUnstorableJson(nested(100_000))).toBeDefined();
  });
});
