/**
 * An ECharts chart. Only the chart types the app uses are registered (keeps the bundle small).
 * Each instance is exposed as `window.__charts[name]` so browser tests can read `getOption()`.
 */
import {
  BarChart,
  FunnelChart,
  HeatmapChart,
  LineChart,
  SankeyChart,
  ScatterChart,
} from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef, useState } from 'react';

echarts.use([
  BarChart,
  HeatmapChart,
  LineChart,
  SankeyChart,
  FunnelChart,
  ScatterChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  TitleComponent,
  MarkLineComponent,
  CanvasRenderer,
]);

declare global {
  interface Window {
    __charts?: Record<string, echarts.ECharts>;
  }
}

export type ChartOption = echarts.EChartsCoreOption;

/**
 * Charts below the fold are drawn when they come near the viewport (a dashboard has a dozen;
 * drawing only what is seen keeps the first load short). `onRendered` fires after the first
 * frame that shows data.
 */
export function Chart({
  name,
  option,
  height = 320,
  label,
  onRendered,
}: {
  name: string;
  option: ChartOption;
  height?: number;
  label: string;
  onRendered?: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [instance, setInstance] = useState<echarts.ECharts | null>(null);
  const rendered = useRef(onRendered);
  rendered.current = onRendered;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let chart: echarts.ECharts | null = null;
    let ro: ResizeObserver | null = null;
    const start = () => {
      if (chart) return;
      chart = echarts.init(el, undefined, { renderer: 'canvas' });
      chart.on('rendered', () => rendered.current?.());
      window.__charts ??= {};
      window.__charts[name] = chart;
      ro = new ResizeObserver(() => chart?.resize());
      ro.observe(el);
      setInstance(chart);
    };
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          io.disconnect();
          start();
        }
      },
      { rootMargin: '200px' },
    );
    io.observe(el);
    return () => {
      io.disconnect();
      ro?.disconnect();
      if (chart && window.__charts?.[name] === chart) delete window.__charts[name];
      chart?.dispose();
      setInstance(null);
    };
  }, [name]);

  useEffect(() => {
    instance?.setOption({ animationDuration: 300, ...option }, { notMerge: true });
  }, [instance, option]);

  return (
    <div
      ref={ref}
      className="chart"
      style={{ height }}
      role="img"
      aria-label={label}
      data-chart={name}
    />
  );
}
