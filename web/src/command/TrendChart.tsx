// Reports submitted and resolved per day over 30 days (echarts, only the parts used).
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { TrendDay } from '@api';
import type { CommandStrings } from './strings';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/** The last `n` calendar days in the city's time zone, oldest first (YYYY-MM-DD). */
function lastDays(timezone: string, n: number): string[] {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const now = Date.now();
  const days: string[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const d = fmt.format(new Date(now - i * 86400_000));
    if (days[days.length - 1] !== d) days.push(d);
  }
  return days;
}

export function TrendChart({ days, timezone, strings }: { days: TrendDay[]; timezone: string; strings: CommandStrings }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  const labels = lastDays(timezone, 30);
  const byDay = new Map(days.map((d) => [d.day, d]));
  const submitted = labels.map((d) => byDay.get(d)?.submitted ?? 0);
  const resolved = labels.map((d) => byDay.get(d)?.resolved ?? 0);
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

  useEffect(() => {
    chart.current?.setOption(
      {
        animation: false,
        textStyle: { color: '#c7d2e3', fontSize: 14 },
        grid: { left: 40, right: 14, top: 36, bottom: 28 },
        legend: { top: 0, right: 0, textStyle: { color: '#dbe4f0', fontSize: 15 }, itemWidth: 16, itemHeight: 10 },
        // Drawn on the canvas: echarts' HTML tooltip writes style attributes, which the CSP refuses.
        tooltip: { trigger: 'axis', renderMode: 'richText', backgroundColor: '#0f172a', borderColor: '#334155', textStyle: { color: '#e2e8f0' } },
        xAxis: {
          type: 'category',
          data: labels.map((d) => `${d.slice(8, 10)}/${d.slice(5, 7)}`),
          axisLabel: { color: '#9fb0c8', fontSize: 13 },
          axisLine: { lineStyle: { color: '#334155' } },
        },
        yAxis: { type: 'value', minInterval: 1, axisLabel: { color: '#9fb0c8', fontSize: 13 }, splitLine: { lineStyle: { color: '#1e293b' } } },
        series: [
          { name: strings.submitted, type: 'bar', data: submitted, itemStyle: { color: '#38bdf8', borderRadius: [3, 3, 0, 0] }, barMaxWidth: 14 },
          { name: strings.resolved, type: 'line', data: resolved, symbol: 'circle', symbolSize: 6, lineStyle: { width: 3, color: '#34d399' }, itemStyle: { color: '#34d399' } },
        ],
      },
      true,
    );
  });

  return (
    <div
      ref={el}
      className="cc-chart"
      role="img"
      aria-label={`${strings.trend}: ${strings.submitted} ${total(submitted)}, ${strings.resolved} ${total(resolved)}`}
    />
  );
}
