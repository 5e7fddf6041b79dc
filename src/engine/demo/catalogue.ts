/**
 * The product catalogue of each demo business and the co-purchase structure planted in it.
 *
 * Each product has a list price and unit cost in fen, and a popularity weight used when a basket
 * picks its items. The planted association rules (`PLANTED_RULES`) are what the cross-sell
 * analysis (SPEC §7, 交叉销售) should find: whenever a basket holds the antecedent, the
 * consequents are added together with probability `confidence`, far above their base rate, so
 * the rules {antecedent} → {consequents} (and the pair/triple itemsets) have lift ≫ 1. Any other
 * co-occurrence is by chance (items are otherwise picked independently).
 */
import type { DemoIndustry } from './business.js';
import { deepFreeze } from './freeze.js';

export interface CatalogueProduct {
  sku: string;
  name: string;
  category: string;
  listPriceMinor: number;
  unitCostMinor: number;
  popularity: number;
}

export interface PlantedRule {
  /** a short name for reports and tests */
  name: string;
  antecedent: string;
  consequents: readonly string[];
  /** P(all consequents added | antecedent in the basket) */
  confidence: number;
}

/** [sku, name, category, list price in yuan, cost as a share of the price, popularity] */
type Row = readonly [string, string, string, number, number, number];

function product([sku, name, category, priceYuan, costShare, popularity]: Row): CatalogueProduct {
  const listPriceMinor = Math.round(priceYuan * 100);
  return {
    sku,
    name,
    category,
    listPriceMinor,
    unitCostMinor: Math.round(listPriceMinor * costShare),
    popularity,
  };
}

const RETAIL: readonly Row[] = [
  ['F001', '有机纯牛奶 250ml×12', '食品饮料', 69.9, 0.72, 10],
  ['F002', '意式拼配咖啡豆 500g', '食品饮料', 98, 0.55, 4],
  ['F003', '咖啡滤纸 100张', '食品饮料', 19.9, 0.4, 0.3],
  ['F004', '每日坚果礼盒 750g', '食品饮料', 158, 0.6, 6],
  ['F005', '天然矿泉水 550ml×24', '食品饮料', 36, 0.7, 8],
  ['F006', '进口干红葡萄酒 750ml', '食品饮料', 268, 0.5, 3],
  ['F007', '明前龙井茶叶礼盒', '食品饮料', 388, 0.45, 3],
  ['F008', '即食燕麦片 1kg', '食品饮料', 45, 0.62, 6],
  ['F009', '木糖醇口香糖 瓶装', '食品饮料', 9.9, 0.5, 4],
  ['F010', '原木抽纸 3层×10包', '食品饮料', 29.9, 0.65, 6],
  ['B001', '去屑洗发水 750ml', '个护美妆', 59, 0.5, 5],
  ['B002', '修护护发素 750ml', '个护美妆', 55, 0.5, 0.5],
  ['B003', '美白牙膏 3支装', '个护美妆', 29.9, 0.55, 0.5],
  ['B004', '声波电动牙刷', '个护美妆', 299, 0.48, 3],
  ['B005', '软毛牙刷 4支装', '个护美妆', 19.9, 0.45, 1],
  ['B010', '抑菌洗手液 500ml', '个护美妆', 24.9, 0.5, 3],
  ['B006', '保湿面霜 50g', '个护美妆', 399, 0.35, 3],
  ['B007', '修护精华液 30ml', '个护美妆', 599, 0.3, 2],
  ['B008', '清爽防晒霜 SPF50', '个护美妆', 139, 0.4, 4],
  ['B009', '电动牙刷替换刷头 4支', '个护美妆', 89, 0.3, 0.3],
  ['M001', '婴儿纸尿裤 L码 60片', '母婴', 149, 0.62, 4],
  ['M002', '婴儿湿巾 80抽×6包', '母婴', 49.9, 0.5, 0.5],
  ['M003', '婴幼儿奶粉 3段 800g', '母婴', 298, 0.65, 3],
  ['M004', '宽口径玻璃奶瓶', '母婴', 89, 0.45, 2],
  ['M005', '儿童绘本 10册', '母婴', 128, 0.5, 3],
  ['H001', '纯棉床品四件套', '家居', 399, 0.45, 3],
  ['H002', '羽绒枕 一对', '家居', 199, 0.42, 3],
  ['H003', '折叠收纳箱 3个装', '家居', 59, 0.5, 4],
  ['H004', '不粘炒锅 32cm', '家居', 259, 0.5, 2],
  ['H005', '硅胶锅铲套装', '家居', 79, 0.45, 0.5],
  ['H006', '香薰蜡烛礼盒', '家居', 89, 0.35, 3],
  ['H007', '加厚垃圾袋 100只', '家居', 15.9, 0.5, 4],
  ['D001', '5G智能手机 128G', '数码', 3999, 0.82, 2],
  ['D002', '手机保护壳', '数码', 59, 0.25, 2],
  ['D003', '钢化玻璃膜 2片', '数码', 39, 0.2, 2],
  ['D004', '降噪蓝牙耳机', '数码', 499, 0.6, 3],
  ['D005', '20000mAh充电宝', '数码', 149, 0.55, 3],
  ['D006', '智能手表', '数码', 1299, 0.7, 2],
  ['D007', '平板电脑 10.9英寸', '数码', 2999, 0.8, 1],
  ['A001', '羊毛针织衫', '服装', 459, 0.4, 3],
  ['A002', '直筒牛仔裤', '服装', 299, 0.38, 4],
  ['A003', '轻便跑步鞋', '服装', 599, 0.45, 3],
  ['A004', '纯棉圆领T恤', '服装', 99, 0.35, 6],
  ['A005', '轻薄羽绒服', '服装', 1099, 0.45, 2],
  ['A006', '运动袜 5双装', '服装', 39, 0.35, 5],
];

const TELECOM: readonly Row[] = [
  ['T001', '5G旗舰手机 256G', '终端', 5999, 0.85, 2],
  ['T002', '5G入门手机 128G', '终端', 1599, 0.82, 4],
  ['T003', '手机保护壳', '配件', 49, 0.25, 0.5],
  ['T004', '钢化玻璃膜', '配件', 29, 0.2, 0.5],
  ['T005', '碎屏险 12个月', '增值服务', 99, 0.3, 0.3],
  ['T006', '蓝牙耳机', '配件', 299, 0.55, 3],
  ['T007', '65W快充充电器', '配件', 79, 0.45, 4],
  ['K001', '靓号选号费', '号卡', 100, 0.05, 2],
  ['K002', '副卡开通', '号卡', 10, 0.1, 4],
  ['V001', '流量包 10GB', '增值服务', 30, 0.15, 12],
  ['V002', '流量包 30GB', '增值服务', 60, 0.15, 7],
  ['V003', '视频会员月卡', '增值服务', 25, 0.6, 8],
  ['V004', '国际漫游包 7天', '增值服务', 98, 0.3, 2],
  ['V005', '彩铃包月', '增值服务', 5, 0.2, 5],
  ['V006', '云盘扩容 1TB', '增值服务', 20, 0.3, 0.5],
  ['W001', '宽带安装调试费', '家庭宽带', 100, 0.5, 3],
  ['W002', 'Wi-Fi 6 路由器', '家庭宽带', 299, 0.6, 0.5],
  ['W003', '千兆光猫升级', '家庭宽带', 150, 0.55, 0.5],
  ['W004', '智能摄像头', '智慧家庭', 199, 0.55, 3],
  ['W005', '智能门锁', '智慧家庭', 899, 0.6, 1],
];

export const CATALOGUE: Readonly<Record<DemoIndustry, readonly CatalogueProduct[]>> = deepFreeze({
  retail: Object.freeze(RETAIL.map(product)),
  telecom: Object.freeze(TELECOM.map(product)),
});

/**
 * The planted co-purchase rules. Consequents are otherwise unpopular (base rates of a few
 * percent), so a confidence of 0.45–0.65 gives lifts around 5–30. Telecom phones are bought in
 * the signup bundle (合约机), which is where the two phone rules fire.
 */
export const PLANTED_RULES: Readonly<Record<DemoIndustry, readonly PlantedRule[]>> = deepFreeze({
  retail: Object.freeze([
    { name: '纸尿裤→湿巾', antecedent: 'M001', consequents: ['M002'], confidence: 0.65 },
    { name: '洗发水→护发素', antecedent: 'B001', consequents: ['B002'], confidence: 0.55 },
    { name: '咖啡豆→滤纸', antecedent: 'F002', consequents: ['F003'], confidence: 0.5 },
    { name: '炒锅→锅铲', antecedent: 'H004', consequents: ['H005'], confidence: 0.45 },
    {
      name: '电动牙刷→刷头+牙膏',
      antecedent: 'B004',
      consequents: ['B009', 'B003'],
      confidence: 0.5,
    },
  ]),
  telecom: Object.freeze([
    {
      name: '合约机→保护壳+钢化膜',
      antecedent: 'T002',
      consequents: ['T003', 'T004'],
      confidence: 0.5,
    },
    { name: '旗舰机→碎屏险', antecedent: 'T001', consequents: ['T005'], confidence: 0.6 },
    {
      name: '宽带→路由器+光猫升级',
      antecedent: 'W001',
      consequents: ['W002', 'W003'],
      confidence: 0.55,
    },
    { name: '摄像头→云盘扩容', antecedent: 'W004', consequents: ['V006'], confidence: 0.5 },
  ]),
});
