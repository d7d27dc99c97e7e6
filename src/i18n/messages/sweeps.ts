import { defineMessages } from '../define.ts';
import { sweepPagesEn, sweepPagesZh } from './sweeps-pages.ts';

/** Parameter sweep pages (views/sweeps/*). */
export const sweeps = defineMessages({
  en: {
    ...sweepPagesEn,
    'sweeps.title': 'Sweeps',
    'sweeps.heading': 'Parameter sweeps',
    'sweeps.intro': 'Run one strategy over many parameter sets at once, on one shared market panel; read the landscape as a heatmap, check the robustness of the best set, and how likely it is luck.',
    'sweeps.new': 'New sweep',
    'sweeps.walkForward': 'walk-forward',
    'sweeps.col.name': 'Name',
    'sweeps.col.strategy': 'Strategy',
    'sweeps.col.status': 'Status',
    'sweeps.col.setsDone': 'Sets done',
    'sweeps.col.best': 'Best',
    'sweeps.none': 'No sweeps yet.',
    'sweeps.showing': 'Showing the newest {shown} of {total}.',
    'sweeps.noHeatmap': 'This sweep has no heatmap.',
    'sweeps.fixed': ' · fixed: {list}',
    'sweeps.windows': ' · windows {kind}, {inDays} in / {outDays} out, step {step} days',
  },
  'zh-CN': {
    ...sweepPagesZh,
    'sweeps.title': '参数扫描',
    'sweeps.heading': '参数扫描',
    'sweeps.intro': '在同一份共享行情面板上，用多组参数同时运行一个策略；以热力图查看参数空间，检验最优参数的稳健性，以及其结果有多大可能只是运气。',
    'sweeps.new': '新建参数扫描',
    'sweeps.walkForward': '滚动前推',
    'sweeps.col.name': '名称',
    'sweeps.col.strategy': '策略',
    'sweeps.col.status': '状态',
    'sweeps.col.setsDone': '已完成组数',
    'sweeps.col.best': '最优',
    'sweeps.none': '还没有参数扫描。',
    'sweeps.showing': '显示最新的 {shown} 个，共 {total} 个。',
    'sweeps.noHeatmap': '该参数扫描没有热力图。',
    'sweeps.fixed': ' · 固定参数：{list}',
    'sweeps.windows': ' · 窗口 {kind}，样本内 {inDays} 天 / 样本外 {outDays} 天，步长 {step} 天',
  },
});
