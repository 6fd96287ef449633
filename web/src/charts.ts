import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, DataZoomComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, BarChart, GridComponent, LegendComponent, TooltipComponent, DataZoomComponent, CanvasRenderer]);

const text = '#c9d6e8';
const axis = { axisLine: { lineStyle: { color: '#3a4a63' } }, axisLabel: { color: text }, splitLine: { lineStyle: { color: '#233047' } } };

export interface Series {
  name: string;
  unit?: string;
  points: [number, number | null][];
  yAxis?: 0 | 1;
  kind?: 'line' | 'bar';
  color?: string;
}

/** A time chart with one or two y axes, sized to its container. Returns a disposer. */
export function timeChart(el: HTMLElement, series: Series[]): () => void {
  const chart = echarts.init(el, undefined, { renderer: 'canvas' });
  const twoAxes = series.some((s) => s.yAxis === 1);
  chart.setOption({
    backgroundColor: 'transparent',
    textStyle: { color: text },
    grid: { left: 44, right: twoAxes ? 44 : 12, top: 28, bottom: 26 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0, textStyle: { color: text }, itemHeight: 8 },
    xAxis: { type: 'time', ...axis, splitLine: { show: false } },
    yAxis: [
      { type: 'value', name: series.find((s) => (s.yAxis ?? 0) === 0)?.unit, nameTextStyle: { color: text }, ...axis },
      ...(twoAxes ? [{ type: 'value', name: series.find((s) => s.yAxis === 1)?.unit, nameTextStyle: { color: text }, ...axis, splitLine: { show: false } }] : []),
    ],
    series: series.map((s) => ({
      name: s.name,
      type: s.kind ?? 'line',
      yAxisIndex: s.yAxis ?? 0,
      showSymbol: s.points.length < 40,
      smooth: false,
      data: s.points,
      itemStyle: s.color ? { color: s.color } : undefined,
      lineStyle: { width: 2 },
    })),
  });
  const ro = new ResizeObserver(() => chart.resize());
  ro.observe(el);
  return () => {
    ro.disconnect();
    chart.dispose();
  };
}
