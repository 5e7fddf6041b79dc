/**
 * Province names as customers' records hold them (广东省, 内蒙古自治区, 北京市) matched to the
 * short names of the map's outlines (广东, 内蒙古, 北京): the record's name starts with the map's
 * (GB/T 2260 names are the short name plus 省, 市, 自治区 or 特别行政区 and its qualifiers).
 */

export interface ProvinceCount {
  key: string;
  customers: number;
}

/**
 * Sums `rows` by map name. Rows whose name matches no outline (a typo, "Guangdong", "未知")
 * are returned in `unmatched`, so the page can say what the map leaves out.
 */
export function countsByMapName(
  rows: readonly ProvinceCount[],
  mapNames: readonly string[],
): { data: { name: string; value: number }[]; unmatched: ProvinceCount[] } {
  // longest first, so a name that begins with a shorter one never takes its place
  const names = [...mapNames].sort((a, b) => b.length - a.length);
  const sums = new Map<string, number>();
  const unmatched: ProvinceCount[] = [];
  for (const r of rows) {
    const key = r.key.trim();
    const name = names.find((n) => key.startsWith(n));
    if (name) sums.set(name, (sums.get(name) ?? 0) + r.customers);
    else unmatched.push(r);
  }
  return {
    data: [...sums].map(([name, value]) => ({ name, value })).sort((a, b) => b.value - a.value),
    unmatched,
  };
}
