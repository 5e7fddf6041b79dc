/**
 * The import check's row problems in Chinese. The reasons come from src/ingest (values.ts,
 * validate.ts) in English, one sentence shape per problem; here each shape is matched and said
 * in Chinese with the offending value kept as it was. A reason no pattern knows is shown as it
 * came (English), never dropped.
 */

interface Rule {
  re: RegExp;
  zh: (m: RegExpMatchArray) => string;
}

const RULES: readonly Rule[] = [
  { re: /^required, but empty$/, zh: () => '必填，但为空' },
  {
    re: /^expected a date such as .+?, got (.+)$/,
    zh: (m) => `应为日期，如 2024-01-31、2024/1/31 13:05 或 2024年1月31日，实际为 ${m[1]}`,
  },
  {
    re: /^expected an amount such as 12\.30, got (.+)$/,
    zh: (m) => `应为金额，如 12.30，实际为 ${m[1]}`,
  },
  {
    re: /^expected at most 2 decimal places, got (.+)$/,
    zh: (m) => `最多两位小数，实际为 ${m[1]}`,
  },
  { re: /^amount is too large: (.+)$/, zh: (m) => `金额过大：${m[1]}` },
  { re: /^expected a whole number, got (.+)$/, zh: (m) => `应为整数，实际为 ${m[1]}` },
  { re: /^expected a number, got (.+)$/, zh: (m) => `应为数字，实际为 ${m[1]}` },
  {
    re: /^expected a satisfaction score from 1 to 5, got (.+)$/,
    zh: (m) => `满意度应为 1 到 5，实际为 ${m[1]}`,
  },
  { re: /^expected a phone number, got (.+)$/, zh: (m) => `应为电话号码，实际为 ${m[1]}` },
  { re: /^expected an email address, got (.+)$/, zh: (m) => `应为电子邮箱，实际为 ${m[1]}` },
  {
    re: /^expected a currency code such as CNY, got (.+)$/,
    zh: (m) => `应为币种代码（如 CNY），实际为 ${m[1]}`,
  },
  { re: /^expected a JSON object, got (.+)$/, zh: (m) => `应为 JSON 对象，实际为 ${m[1]}` },
  { re: /^expected text, got (.+)$/, zh: (m) => `应为文本，实际为 ${m[1]}` },
  {
    re: /^expected an id, got the number (.+); format the column as text$/,
    zh: (m) => `编号应为文本，实际为数字 ${m[1]}；请把该列设为文本格式`,
  },
  {
    re: /^Excel wrote this long number in scientific notation and its digits are lost; format the column as text and export again: (.+)$/,
    zh: (m) =>
      `Excel 把这个长数字写成了科学计数法，位数已丢失；请把该列设为文本格式后重新导出：${m[1]}`,
  },
  { re: /^expected (.+?), got (.+)$/, zh: (m) => `应为 ${m[1]}，实际为 ${m[2]}` },
];

/** The reason in the page's language: Chinese when a pattern knows it, else as it came. */
export function importReason(reason: string, lang: string): string {
  if (!lang.startsWith('zh')) return reason;
  for (const r of RULES) {
    const m = reason.match(r.re);
    if (m) return r.zh(m);
  }
  return reason;
}
