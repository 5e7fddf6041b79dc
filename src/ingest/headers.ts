/**
 * How a file's column headers are understood: each record kind's fields and the English and
 * Chinese headers that mean them, which kind a file holds, and `--map column=field` overrides.
 *
 * Headers match after `normalizeHeader`: case, spaces, `_ - . /`, full-width forms, a leading
 * required-marker `*` and a trailing unit in brackets (`金额(元)`) do not matter. Where several
 * columns could fill one field, the earlier synonym in the list wins (实付金额 before 金额).
 */
import { RECORD_KINDS, type RecordKind } from '../engine/records.js';
import { InputError } from '../errors.js';

export interface FieldSpec {
  name: string;
  /** several columns may fill it (phones, emails, tags) */
  multi?: boolean;
  synonyms: readonly string[];
}

const CUSTOMER_ID = [
  'customer_id',
  'customerid',
  'customer',
  'customer_no',
  'customer_code',
  'cust_id',
  'client_id',
  'member_id',
  'user_id',
  'buyer_id',
  '客户编号',
  '客户ID',
  '客户号',
  '客户编码',
  '客户代码',
  '会员编号',
  '会员ID',
  '会员号',
  '会员卡号',
  '用户ID',
  '用户编号',
  '顾客编号',
  '顾客ID',
  '买家ID',
  '买家',
];

const TIME_OF_EVENT = [
  'occurred_at',
  'datetime',
  'timestamp',
  'date',
  'time',
  '日期',
  '时间',
  '发生时间',
];

export const FIELDS: Readonly<Record<RecordKind, readonly FieldSpec[]>> = {
  customers: [
    { name: 'customerId', synonyms: [...CUSTOMER_ID, 'id', '编号'] },
    {
      name: 'name',
      synonyms: [
        'name',
        'customer_name',
        'full_name',
        'client_name',
        '客户名称',
        '客户姓名',
        '姓名',
        '名称',
        '客户名',
        '会员名称',
        '会员姓名',
        '顾客姓名',
        '公司名称',
        '企业名称',
        '联系人',
      ],
    },
    {
      name: 'phones',
      multi: true,
      synonyms: [
        'phone',
        'phones',
        'mobile',
        'mobile_phone',
        'cellphone',
        'cell',
        'tel',
        'telephone',
        'phone_number',
        '手机',
        '手机号',
        '手机号码',
        '电话',
        '联系电话',
        '电话号码',
        '移动电话',
        '座机',
        '联系方式',
      ],
    },
    {
      name: 'emails',
      multi: true,
      synonyms: [
        'email',
        'emails',
        'e-mail',
        'mail',
        'email_address',
        '邮箱',
        '电子邮箱',
        '电子邮件',
        '邮件',
        '邮箱地址',
      ],
    },
    {
      name: 'address',
      synonyms: [
        'address',
        'addr',
        'street',
        '地址',
        '联系地址',
        '详细地址',
        '通讯地址',
        '收货地址',
      ],
    },
    {
      name: 'region',
      synonyms: ['region', 'area', 'location', '地区', '区域', '所在地', '所在地区', '省市'],
    },
    { name: 'province', synonyms: ['province', 'state', '省份', '省', '所在省份', '所在省'] },
    { name: 'city', synonyms: ['city', '城市', '市', '所在城市', '所在市'] },
    { name: 'gender', synonyms: ['gender', 'sex', '性别'] },
    {
      name: 'birthday',
      synonyms: [
        'birthday',
        'birth_date',
        'birthdate',
        'date_of_birth',
        'dob',
        '生日',
        '出生日期',
        '出生年月日',
      ],
    },
    { name: 'industry', synonyms: ['industry', 'sector', '行业', '所属行业', '行业类别'] },
    {
      name: 'channel',
      synonyms: [
        'channel',
        'acquisition_channel',
        'source',
        '渠道',
        '获客渠道',
        '来源渠道',
        '来源',
        '注册渠道',
      ],
    },
    {
      name: 'acquiredAt',
      synonyms: [
        'acquired_at',
        'signup_date',
        'signed_up_at',
        'registered_at',
        'registration_date',
        'join_date',
        'joined_at',
        'created_at',
        '注册时间',
        '注册日期',
        '入会时间',
        '入会日期',
        '开户日期',
        '开户时间',
        '建档日期',
        '创建时间',
        '首次购买时间',
      ],
    },
    {
      name: 'ownerId',
      synonyms: [
        'owner',
        'owner_id',
        'account_manager',
        'sales_rep',
        '客户经理',
        '负责人',
        '归属人',
        '所属销售',
        '销售代表',
        '跟进人',
      ],
    },
    { name: 'tags', multi: true, synonyms: ['tags', 'tag', 'labels', '标签', '客户标签'] },
    // JSON objects (JSON Lines values, or JSON text in a CSV cell)
    {
      name: 'attributes',
      multi: true,
      synonyms: ['attributes', 'custom_attributes', '自定义属性', '扩展属性'],
    },
    { name: 'consent', multi: true, synonyms: ['consent', 'consents', '授权', '营销许可'] },
  ],
  products: [
    {
      name: 'sku',
      synonyms: [
        'sku',
        'product_id',
        'item_id',
        'product_code',
        'item_code',
        'sku_code',
        '商品编号',
        '商品编码',
        '商品ID',
        '产品编号',
        '产品编码',
        '产品ID',
        'SKU编码',
        '货号',
        '编号',
      ],
    },
    {
      name: 'name',
      synonyms: [
        'name',
        'product_name',
        'item_name',
        'title',
        '商品名称',
        '产品名称',
        '品名',
        '名称',
        '商品',
        '产品',
      ],
    },
    {
      name: 'category',
      synonyms: [
        'category',
        'product_category',
        'type',
        '类别',
        '分类',
        '品类',
        '商品类别',
        '商品分类',
        '产品类别',
        '类目',
      ],
    },
    {
      name: 'listPrice',
      synonyms: [
        'list_price',
        'price',
        'unit_price',
        'retail_price',
        '价格',
        '单价',
        '售价',
        '标价',
        '零售价',
        '定价',
      ],
    },
    {
      name: 'unitCost',
      synonyms: ['unit_cost', 'cost', 'cost_price', '成本', '单位成本', '成本价', '进价'],
    },
  ],
  transactions: [
    {
      name: 'transactionId',
      synonyms: [
        'transaction_id',
        'order_id',
        'order_no',
        'order_number',
        'invoice',
        'invoice_no',
        'receipt_no',
        '订单号',
        '订单编号',
        '订单ID',
        '交易号',
        '交易编号',
        '交易单号',
        '流水号',
        '单号',
        '单据号',
        '小票号',
      ],
    },
    {
      name: 'customerId',
      // Shops export the buyer's account or phone where they have no customer number.
      synonyms: [
        ...CUSTOMER_ID,
        '买家会员名',
        '买家昵称',
        '会员名',
        '客户账号',
        '买家手机号',
        '手机号',
      ],
    },
    {
      name: 'occurredAt',
      synonyms: [
        'order_date',
        'order_time',
        'ordered_at',
        'purchase_date',
        'purchased_at',
        'transaction_date',
        'transaction_time',
        '下单时间',
        '下单日期',
        '订单创建时间',
        '订单时间',
        '订单日期',
        '交易时间',
        '交易日期',
        '购买时间',
        '购买日期',
        '消费时间',
        '消费日期',
        '付款时间',
        '订单付款时间',
        '支付时间',
        '成交时间',
        ...TIME_OF_EVENT,
      ],
    },
    {
      name: 'amount',
      synonyms: [
        'amount',
        'paid_amount',
        'total',
        'order_amount',
        'order_total',
        'sales',
        'revenue',
        'payment',
        '实付金额',
        '买家实际支付金额',
        '实付',
        '实收金额',
        '支付金额',
        '付款金额',
        '金额',
        '订单金额',
        '交易金额',
        '消费金额',
        '销售额',
        '销售金额',
        '成交金额',
        '总金额',
        '总价',
        '应付金额',
      ],
    },
    { name: 'currency', synonyms: ['currency', '币种', '货币'] },
    { name: 'cost', synonyms: ['cost', 'cogs', 'total_cost', '成本', '成本金额', '总成本'] },
    { name: 'margin', synonyms: ['margin', 'gross_profit', 'profit', '毛利', '毛利额', '利润'] },
    {
      name: 'channel',
      synonyms: [
        'channel',
        'sales_channel',
        'platform',
        'store',
        'shop',
        '渠道',
        '销售渠道',
        '平台',
        '门店',
        '店铺',
        '来源',
      ],
    },
    {
      name: 'status',
      synonyms: ['status', 'order_status', 'state', '状态', '订单状态', '交易状态'],
    },
    {
      name: 'sku',
      synonyms: [
        'sku',
        'product_id',
        'item_id',
        'product_code',
        'product',
        'item',
        '商品编号',
        '商品编码',
        '商品ID',
        '商品',
        '产品编号',
        '产品编码',
        '产品',
        'SKU编码',
        '货号',
      ],
    },
    {
      name: 'quantity',
      synonyms: ['quantity', 'qty', 'units', 'count', '数量', '件数', '购买数量', '商品数量'],
    },
    { name: 'unitPrice', synonyms: ['unit_price', 'price', '单价', '成交单价', '价格', '售价'] },
  ],
  interactions: [
    {
      name: 'interactionId',
      synonyms: [
        'interaction_id',
        'record_id',
        'ticket_id',
        'id',
        '记录编号',
        '记录ID',
        '工单号',
        '编号',
      ],
    },
    { name: 'customerId', synonyms: CUSTOMER_ID },
    {
      name: 'occurredAt',
      synonyms: [
        'contact_time',
        'contacted_at',
        '接触时间',
        '联系时间',
        '互动时间',
        '服务时间',
        '拜访时间',
        'at',
        ...TIME_OF_EVENT,
      ],
    },
    {
      name: 'type',
      synonyms: [
        'type',
        'interaction_type',
        'contact_type',
        'kind',
        '类型',
        '互动类型',
        '接触类型',
        '接触方式',
        '联系方式',
        '方式',
      ],
    },
    { name: 'direction', synonyms: ['direction', '方向', '呼叫方向', '呼入呼出'] },
    { name: 'outcome', synonyms: ['outcome', 'result', '结果', '处理结果', '跟进结果'] },
    {
      name: 'satisfaction',
      synonyms: ['satisfaction', 'csat', 'rating', 'score', '满意度', '评分', '满意度评分'],
    },
    {
      name: 'staff',
      synonyms: [
        'staff',
        'agent',
        'employee',
        'handled_by',
        'owner',
        '员工',
        '客服',
        '坐席',
        '处理人',
        '经办人',
        '负责人',
        '客户经理',
        '跟进人',
      ],
    },
    {
      name: 'note',
      synonyms: [
        'note',
        'notes',
        'comment',
        'remark',
        'memo',
        'content',
        'description',
        '备注',
        '内容',
        '说明',
        '记录',
        '描述',
        '详情',
      ],
    },
  ],
  subscriptions: [
    {
      name: 'subscriptionId',
      synonyms: [
        'subscription_id',
        'contract_id',
        'contract_no',
        '订阅编号',
        '合同号',
        '合同编号',
        '合约编号',
      ],
    },
    { name: 'customerId', synonyms: CUSTOMER_ID },
    {
      name: 'plan',
      synonyms: [
        'plan',
        'package',
        'tariff',
        'product',
        '套餐',
        '套餐名称',
        '资费',
        '计划',
        '产品',
      ],
    },
    {
      name: 'startedAt',
      synonyms: [
        'started_at',
        'start_date',
        'start',
        'begin_date',
        'activated_at',
        '开始时间',
        '开始日期',
        '生效日期',
        '开通时间',
        '开通日期',
        '入网时间',
        '签约日期',
      ],
    },
    {
      name: 'endedAt',
      synonyms: [
        'ended_at',
        'end_date',
        'end',
        'cancelled_at',
        'churned_at',
        '结束时间',
        '结束日期',
        '到期日期',
        '终止日期',
        '退订时间',
        '离网时间',
        '销户日期',
      ],
    },
    {
      name: 'monthlyFee',
      synonyms: [
        'monthly_fee',
        'monthly_price',
        'fee',
        'mrr',
        'price',
        '月费',
        '月租',
        '月租费',
        '资费金额',
      ],
    },
  ],
};

/** What a file must have columns for, per kind. */
const REQUIRED: Readonly<Record<RecordKind, readonly (readonly string[])[]>> = {
  customers: [['customerId']],
  products: [['sku']],
  // an amount, or quantity and unit price to compute it from
  transactions: [['customerId'], ['occurredAt'], ['amount', 'unitPrice']],
  interactions: [['customerId'], ['occurredAt'], ['type']],
  subscriptions: [['customerId'], ['startedAt']],
};

/** Prefixes of fields a customers column may be mapped to by name (`--map 会员等级=attributes.level`). */
const OPEN_FIELDS = ['attributes.', 'consent.'];

export function normalizeHeader(header: string): string {
  return header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/^[*#\s]+/, '')
    .replace(/[([{【][^)\]}】]*[)\]}】]\s*$/, '')
    .replace(/[\s_\-./·:]+/g, '');
}

interface Synonym {
  field: string;
  rank: number;
}

const SYNONYMS = new Map<RecordKind, Map<string, Synonym>>(
  RECORD_KINDS.map((kind) => {
    const table = new Map<string, Synonym>();
    for (const spec of FIELDS[kind]) {
      const words = [spec.name, ...spec.synonyms];
      words.forEach((word, rank) => {
        const key = normalizeHeader(word);
        if (!table.has(key)) table.set(key, { field: spec.name, rank });
      });
    }
    return [kind, table];
  }),
);

/** The field names of a kind, as `--map` accepts them. */
export function fieldNames(kind: RecordKind): string[] {
  return FIELDS[kind].map((f) => f.name);
}

/** `--map` may name a field in any case or spelling (`occurred_at`); returns the canonical name. */
export function resolveFieldName(kind: RecordKind, name: string): string | null {
  const trimmed = name.trim();
  if (kind === 'customers') {
    for (const prefix of OPEN_FIELDS) {
      if (trimmed.startsWith(prefix) && trimmed.length > prefix.length) return trimmed;
    }
  }
  const key = normalizeHeader(trimmed);
  return FIELDS[kind].find((f) => normalizeHeader(f.name) === key)?.name ?? null;
}

export interface ColumnBinding {
  /** 0-based position among the file's columns */
  index: number;
  /** the header as written */
  source: string;
  /** the field it fills, or null when it fills none (customers keep those as attributes) */
  field: string | null;
}

/** `--map column=field`: a field of '' or '-' means "ignore this column". */
export type ColumnMap = Readonly<Record<string, string>>;

/**
 * `--map` arguments (`客户号=customerId`) to a ColumnMap. The split is at the last `=`, since
 * field names never hold one and column names might.
 */
export function parseColumnMap(entries: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.lastIndexOf('=');
    const column = at === -1 ? '' : entry.slice(0, at).trim();
    if (column === '') {
      throw new InputError(`--map ${entry}: expected column=field, such as 客户号=customerId`, {
        field: 'map',
        value: entry,
      });
    }
    map[column] = entry.slice(at + 1).trim();
  }
  return map;
}

function findColumn(headers: readonly string[], column: string): number {
  const exact = headers.indexOf(column);
  if (exact !== -1) return exact;
  const key = normalizeHeader(column);
  return headers.findIndex((h) => normalizeHeader(h) === key);
}

/** Binds each column to a field of `kind`; `--map` entries first, then synonyms by rank. */
export function bindColumns(
  kind: RecordKind,
  headers: readonly string[],
  map: ColumnMap,
  file: string,
): ColumnBinding[] {
  const bindings: ColumnBinding[] = headers.map((source, index) => ({
    index,
    source,
    field: null,
  }));
  const fixed = new Set<number>();
  const taken = new Set<string>();
  for (const [column, target] of Object.entries(map)) {
    const index = findColumn(headers, column);
    if (index === -1) {
      throw new InputError(
        `${file}: --map names the column "${column}", which the file does not have; its columns are ${headers.map((h) => `"${h}"`).join(', ')}`,
        { file, field: column },
      );
    }
    fixed.add(index);
    if (target.trim() === '' || target.trim() === '-') continue;
    const field = resolveFieldName(kind, target);
    if (field === null) {
      throw new InputError(
        `${file}: --map ${column}=${target}: ${kind} have no field "${target}"; the fields are ${fieldNames(kind).join(', ')}${kind === 'customers' ? ', attributes.<name>, consent.<name>' : ''}`,
        { file, field: target },
      );
    }
    const multi = FIELDS[kind].some((f) => f.name === field && f.multi);
    if (taken.has(field) && !multi && !field.includes('.')) {
      throw new InputError(
        `${file}: --map gives two columns the field ${field}; a ${kind} row has one ${field}`,
        { file, field },
      );
    }
    bindings[index].field = field;
    taken.add(field);
  }
  const table = SYNONYMS.get(kind)!;
  const candidates = bindings
    .filter((b) => !fixed.has(b.index))
    .map((b) => ({ binding: b, synonym: table.get(normalizeHeader(b.source)) }))
    .filter((c): c is { binding: ColumnBinding; synonym: Synonym } => c.synonym !== undefined)
    .sort((a, b) => a.synonym.rank - b.synonym.rank || a.binding.index - b.binding.index);
  const multiFields = new Set(FIELDS[kind].filter((f) => f.multi).map((f) => f.name));
  for (const { binding, synonym } of candidates) {
    if (taken.has(synonym.field) && !multiFields.has(synonym.field)) continue;
    binding.field = synonym.field;
    taken.add(synonym.field);
  }
  return bindings;
}

/** The required fields no column fills, written for a person ("amount (or unitPrice)"). */
export function missingFields(kind: RecordKind, bindings: readonly ColumnBinding[]): string[] {
  const present = new Set(bindings.map((b) => b.field));
  return REQUIRED[kind]
    .filter((alternatives) => !alternatives.some((f) => present.has(f)))
    .map((alternatives) => alternatives.join(' or '));
}

const FILE_NAME_HINTS: readonly [RecordKind, RegExp][] = [
  ['transactions', /transaction|order|sale|purchase|invoice|订单|交易|销售|流水|消费|购买/i],
  ['customers', /customer|client|member|contact|user|客户|会员|顾客|用户|联系人/i],
  ['products', /product|item|sku|catalog|goods|商品|产品|货品/i],
  [
    'interactions',
    /interaction|touchpoint|activit|call|visit|ticket|互动|接触|拜访|服务记录|通话|工单|投诉/i,
  ],
  ['subscriptions', /subscription|contract|plan|订阅|合同|合约|套餐/i],
];

/** The kind a file name suggests (`订单.csv` → transactions), if any. */
export function kindFromFileName(file: string): RecordKind | null {
  const base = file.split(/[\\/]/).pop() ?? file;
  return FILE_NAME_HINTS.find(([, pattern]) => pattern.test(base))?.[0] ?? null;
}

/**
 * Which kind the headers describe. A kind qualifies when its required fields all have columns;
 * among those, the one filling most columns wins; a tie is broken by the file name, and
 * otherwise the caller is asked for `--kind`.
 */
export function detectKind(headers: readonly string[], map: ColumnMap, file: string): RecordKind {
  const scored = RECORD_KINDS.map((kind) => {
    let bindings: ColumnBinding[];
    try {
      bindings = bindColumns(kind, headers, map, file);
    } catch {
      return { kind, qualifies: false, score: -1, missing: ['(--map does not fit)'] };
    }
    const missing = missingFields(kind, bindings);
    const score = bindings.filter((b) => b.field !== null).length;
    return { kind, qualifies: missing.length === 0, score, missing };
  });
  const qualified = scored.filter((s) => s.qualifies).sort((a, b) => b.score - a.score);
  const hint = kindFromFileName(file);
  if (qualified.length === 0) {
    const closest = [...scored].sort((a, b) => b.score - a.score)[0];
    throw new InputError(
      `${file}: cannot tell what the file holds from its columns (${headers.map((h) => `"${h}"`).join(', ')}); closest is ${closest.kind}, which needs a column for ${closest.missing.join(', ')}; pass --kind and --map column=field`,
      { file },
    );
  }
  const top = qualified.filter((s) => s.score === qualified[0].score);
  if (top.length === 1) return top[0].kind;
  if (hint !== null && top.some((s) => s.kind === hint)) return hint;
  throw new InputError(
    `${file}: the columns fit ${top.map((s) => s.kind).join(' and ')} equally well; pass --kind`,
    { file },
  );
}
