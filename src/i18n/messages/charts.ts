import { defineMessages } from '../define.ts';

/** Chart texts (views/backtests/charts.tsx, views/market/candle-chart.tsx, views/sweeps/heatmap.tsx). */
export const charts = defineMessages({
  en: {
    'charts.tooFew': 'Not enough days to draw.',
    'charts.noValues': 'No values to draw.',
    'charts.hover': ' · hover for values',
    'charts.strategy': 'Strategy',
    'charts.benchmark': 'Benchmark',
    'charts.drawdown': 'Drawdown',
    'charts.equityTitle': 'Equity curve (NAV, start = 1) against the benchmark',
    'charts.drawdownTitle': 'Drawdown from the running peak',
    'charts.equitiesTitle': 'Equity curves (NAV, start = 1)',
  },
  'zh-CN': {
    'charts.tooFew': '天数不足，无法绘图。',
    'charts.noValues': '没有可绘制的数据。',
    'charts.hover': ' · 悬停查看数值',
    'charts.strategy': '策略',
    'charts.benchmark': '基准',
    'charts.drawdown': '回撤',
    'charts.equityTitle': '净值曲线（起始为 1）与基准对比',
    'charts.drawdownTitle': '相对前期高点的回撤',
    'charts.equitiesTitle': '净值曲线（起始为 1）',
  },
});
