import { describe, expect, test } from 'vitest';
import { countsByMapName } from './province-names.js';

const MAP = ['广东', '内蒙古', '北京', '香港', '新疆', '黑龙江'];

describe('province names on the map', () => {
  test.each([
    { title: 'a province', key: '广东省', expected: '广东' },
    { title: 'an autonomous region', key: '内蒙古自治区', expected: '内蒙古' },
    { title: 'a region with a qualifier', key: '新疆维吾尔自治区', expected: '新疆' },
    { title: 'a municipality', key: '北京市', expected: '北京' },
    { title: 'a special administrative region', key: '香港特别行政区', expected: '香港' },
    { title: 'the short name itself', key: '黑龙江', expected: '黑龙江' },
  ])('$title ($key) is drawn as $expected', ({ key, expected }) => {
    expect(countsByMapName([{ key, customers: 3 }], MAP).data).toEqual([
      { name: expected, value: 3 },
    ]);
  });

  test('names the map does not know are left out and reported; the same province twice is summed', () => {
    const r = countsByMapName(
      [
        { key: '广东省', customers: 5 },
        { key: '广东', customers: 2 },
        { key: 'Guangdong', customers: 1 },
        { key: '未知', customers: 4 },
      ],
      MAP,
    );
    expect(r.data).toEqual([{ name: '广东', value: 7 }]);
    expect(r.unmatched.map((u) => u.key)).toEqual(['Guangdong', '未知']);
  });
});
