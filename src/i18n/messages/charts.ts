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
    'charts.nothing': 'Nothing to draw.',
    'charts.noSet': 'No set with this metric has finished yet.',
    'charts.heatmapLabel': '{metric} over {x} and {y}',
    'charts.lambdaLabel': 'Histogram of the logits λ over the CSCV combinations',
    'charts.lambdaBin': { one: 'λ in [{from}, {to}): {count} combination', other: 'λ in [{from}, {to}): {count} combinations' },
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
    'charts.nothing': '没有可绘制的内容。',
    'charts.noSet': '还没有完成该指标的参数组。',
    'charts.heatmapLabel': '{metric}：{x} × {y}',
    'charts.lambdaLabel': 'CSCV 组合上 logit λ 的直方图',
    'charts.lambdaBin': { other: 'λ ∈ [{from}, {to})：{count} 个组合' },
  },
});
