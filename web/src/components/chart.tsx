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
import { useEffect, useRef } from 'react';

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

export function Chart({
  name,
  option,
  height = 320,
  label,
}: {
  name: string;
  option: ChartOption;
  height?: number;
  label: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    if (!ref.current) return;
    const instance = echarts.init(ref.current, undefined, { renderer: 'canvas' });
    chart.current = instance;
    window.__charts ??= {};
    window.__charts[name] = instance;
    const ro = new ResizeObserver(() => instance.resize());
    ro.observe(ref.current);
    return () => {
      ro.disconnect();
      if (window.__charts?.[name] === instance) delete window.__charts[name];
      instance.dispose();
      chart.current = null;
    };
  }, [name]);

  useEffect(() => {
    chart.current?.setOption({ animationDuration: 300, ...option }, { notMerge: true });
  }, [option]);

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
