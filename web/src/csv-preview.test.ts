import { describe, expect, test } from 'vitest';
import { parseCsv, previewCsv } from './csv-preview.js';

describe('the import page previews a CSV before uploading it (issue 8 import)', () => {
  test('UTF-8 with BOM, quoted fields with commas, doubled quotes and line breaks', () => {
    const text =
      '\ufeff客户编号,客户名称,备注\r\nC1,"张三, 李四","说""好""的"\r\nC2,王五,"两\n行"\r\n';
    const p = previewCsv(new TextEncoder().encode(text));
    expect(p).toEqual({
      encoding: 'utf-8',
      delimiter: ',',
      header: ['客户编号', '客户名称', '备注'],
      rows: [
        ['C1', '张三, 李四', '说"好"的'],
        ['C2', '王五', '两\n行'],
      ],
    });
  });

  test('bytes that are not UTF-8 are read as GB18030 (Chinese Excel), the delimiter found from the header', () => {
    // "客户;金额\nC1;99" in GB18030
    const bytes = new Uint8Array([
      0xbf, 0xcd, 0xbb, 0xa7, 0x3b, 0xbd, 0xf0, 0xb6, 0xee, 0x0a, 0x43, 0x31, 0x3b, 0x39, 0x39,
    ]);
    const p = previewCsv(bytes);
    expect(p.encoding).toBe('gb18030');
    expect(p.delimiter).toBe(';');
    expect(p.header).toEqual(['客户', '金额']);
    expect(p.rows).toEqual([['C1', '99']]);
  });

  test('only the first rows are read', () => {
    const text = `a,b\n${Array.from({ length: 100 }, (_, i) => `${i},x`).join('\n')}`;
    expect(parseCsv(text, ',', 3)).toEqual([
      ['a', 'b'],
      ['0', 'x'],
      ['1', 'x'],
    ]);
  });
});
