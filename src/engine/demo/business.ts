/**
 * Reference data about the demo business itself: customer industries, acquisition and order
 * channels per industry, the account managers and service staff, telecom plans, and the words a
 * Chinese business system writes into interaction outcomes and notes.
 */

export type DemoIndustry = 'retail' | 'telecom';

export const DEMO_INDUSTRIES: readonly DemoIndustry[] = Object.freeze(['retail', 'telecom']);

/** The customer's own line of work (客户行业), with rough weights. */
export const CUSTOMER_INDUSTRIES: readonly (readonly [string, number])[] = Object.freeze([
  ['制造业', 16],
  ['批发和零售业', 14],
  ['信息技术', 9],
  ['金融业', 5],
  ['教育', 7],
  ['医疗卫生', 6],
  ['建筑业', 7],
  ['交通运输', 5],
  ['住宿和餐饮业', 6],
  ['公共管理', 5],
  ['自由职业', 10],
  ['学生', 10],
]);

/** How customers were acquired (获客渠道), with weights. */
export const ACQUISITION_CHANNELS: Readonly<
  Record<DemoIndustry, readonly (readonly [string, number])[]>
> = Object.freeze({
  retail: [
    ['门店', 35],
    ['线上商城', 20],
    ['微信小程序', 18],
    ['抖音直播', 10],
    ['老客推荐', 10],
    ['地推活动', 7],
  ],
  telecom: [
    ['营业厅', 40],
    ['网上营业厅', 20],
    ['代理渠道', 15],
    ['校园营销', 8],
    ['老客推荐', 10],
    ['集团客户', 7],
  ],
});

/** Where orders are placed (下单渠道). */
export const ORDER_CHANNELS: Readonly<Record<DemoIndustry, readonly string[]>> = Object.freeze({
  retail: ['门店', '线上商城', '微信小程序', 'APP', '电话订购'],
  telecom: ['营业厅', '网上营业厅', 'APP', '客服热线'],
});

/** Account managers (客户经理) by staff code; every customer has one as owner. */
export const ACCOUNT_MANAGERS: readonly string[] = Object.freeze([
  'AM001',
  'AM002',
  'AM003',
  'AM004',
  'AM005',
  'AM006',
  'AM007',
  'AM008',
]);

/** Service agents (客服) who take inbound calls, complaints and service requests. */
export const SERVICE_AGENTS: readonly string[] = Object.freeze([
  'CS101',
  'CS102',
  'CS103',
  'CS104',
  'CS105',
]);

export interface Plan {
  plan: string;
  monthlyFeeYuan: number;
  weight: number;
}

/** Telecom plans (套餐) with their monthly fee. */
export const TELECOM_PLANS: readonly Plan[] = Object.freeze([
  { plan: '4G畅聊39元套餐', monthlyFeeYuan: 39, weight: 12 },
  { plan: '5G畅享58元套餐', monthlyFeeYuan: 58, weight: 25 },
  { plan: '5G畅享88元套餐', monthlyFeeYuan: 88, weight: 25 },
  { plan: '5G畅享128元套餐', monthlyFeeYuan: 128, weight: 18 },
  { plan: '5G尊享198元套餐', monthlyFeeYuan: 198, weight: 8 },
  { plan: '5G尊享298元套餐', monthlyFeeYuan: 298, weight: 3 },
  { plan: '融合宽带169元套餐', monthlyFeeYuan: 169, weight: 9 },
]);

export const COMPLAINT_NOTES: Readonly<Record<DemoIndustry, readonly string[]>> = Object.freeze({
  retail: ['商品质量问题', '配送延迟', '退款处理慢', '客服态度差', '少发漏发', '价格与宣传不符'],
  telecom: ['信号差', '网速慢', '乱扣费', '套餐资费不透明', '宽带断网', '客服态度差'],
});

export const SERVICE_NOTES: Readonly<Record<DemoIndustry, readonly string[]>> = Object.freeze({
  retail: ['咨询商品信息', '修改收货地址', '申请开发票', '会员积分查询', '售后换货'],
  telecom: ['话费查询', '套餐咨询', '补办SIM卡', '宽带报修', '发票申请'],
});

export const CALL_OUTCOMES: readonly string[] = Object.freeze([
  '已接通',
  '已接通',
  '未接通',
  '预约回访',
]);
