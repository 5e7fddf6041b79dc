/**
 * Shapes the web app reads from the API (issue 7). Fields the server may leave out are optional;
 * pages show "—" or an empty state for them rather than failing.
 */

export type Role = 'admin' | 'manager' | 'agent' | 'analyst';

export interface User {
  userId: string;
  username: string;
  displayName?: string | null;
  role: Role;
  staffId?: string | null;
}

export interface Session {
  user: User;
  csrfToken?: string;
}

export interface CurrentScores {
  asOf?: string | null;
  stage?: string | null;
  tier?: string | null;
  clvMinor?: number | string | null;
  churnRisk?: number | null;
  warningLevel?: string | null;
  rfmSegment?: string | null;
  pAlive?: number | null;
  cluster?: string | null;
}

export interface Customer {
  customerId: string;
  name: string | null;
  phones?: string[];
  emails?: string[];
  province?: string | null;
  city?: string | null;
  gender?: string | null;
  birthday?: string | null;
  industry?: string | null;
  channel?: string | null;
  acquiredAt?: string | null;
  ownerId?: string | null;
  tags?: string[];
  current?: CurrentScores;
  revenueMinor?: number | string | null;
  lastPurchaseAt?: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
  total?: number | null;
}

export interface LocalText {
  zh: string;
  en: string;
}

export interface TimelineEntry {
  kind: 'transaction' | 'interaction';
  id: string;
  at: string;
  amountMinor: number | null;
  status: string | null;
  channel: string | null;
  type: string | null;
  direction?: string | null;
  outcome: string | null;
  satisfaction: number | null;
  staff: string | null;
  note: string | null;
}

export interface Task {
  taskId: string;
  customerId?: string;
  customerName?: string | null;
  type: string;
  ownerId?: string | null;
  dueAt?: string | null;
  status: string;
  outcome?: string | null;
  source?: string | null;
  title?: string | LocalText | null;
}

export interface StageTrack {
  model: string;
  modelName: LocalText;
  current: {
    stage: string;
    name: LocalText;
    since: string;
    reason: LocalText;
    ruleId?: string | null;
  };
  history: {
    at: string;
    from: string | null;
    to: string;
    name: LocalText;
    reason: LocalText;
    wonBack?: boolean;
  }[];
  nextAction: {
    goal: LocalText;
    kpi: LocalText;
    action: { id: string; title: LocalText; channel: string; timing: LocalText };
    reason: LocalText;
  } | null;
}

/** GET /api/customers/{id}/360 (src/server/routes/customers.ts). */
export interface Customer360 {
  customer: Customer;
  totals?: { orders: number; revenueMinor: number; interactions: number };
  timeline: TimelineEntry[];
  stages: StageTrack[];
  value: {
    asOf: string;
    model: string;
    pAlive: number | null;
    expectedPurchases: number | null;
    horizonDays: number | null;
    expectedSpendMinor: number | null;
    clvMinor: number | null;
    historical: Record<string, unknown>;
    rfm: { r: number | null; f: number | null; m: number | null; segment: string | null };
    tier: string | null;
    cluster: string | null;
    history?: { asOf: string; pAlive: number | null }[];
  } | null;
  risk: { churnRisk: number | null; warningLevel: string | null; reasons: unknown[] };
  segments: { segmentId: string; name: string; joinedAt?: string }[];
  alerts?: { alertId: string; level: string; raisedAt: string; reasons: unknown; status: string }[];
  tasks: Task[];
}

/** GET /api/segments items (src/server/routes/segments.ts). */
export interface SegmentSummary {
  segmentId: string;
  name: string;
  rule: string;
  description?: string | null;
  members: number;
  refreshedAt?: string | null;
  createdAt?: string;
}

export interface AnalysisRun {
  runId: string;
  status: 'running' | 'succeeded' | 'failed' | string;
  asOf?: string;
  progress?:
    | { step?: string; done?: number; total?: number; at?: string }[]
    | Record<string, unknown>;
  result?: Record<string, unknown> | null;
  error?: string | null;
  startedAt?: string;
  finishedAt?: string | null;
}

export interface Alert {
  alertId: string;
  customerId: string;
  customerName?: string | null;
  level: string;
  raisedAt?: string;
  reasons?: (string | { text?: string; reason?: string })[];
  status?: string;
  valueAtRiskMinor?: number | string | null;
  ownerId?: string | null;
}
