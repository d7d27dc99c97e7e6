import { defineMessages } from '../define.ts';

/** Runs: statuses, progress, the runs pages (views/runs/*, views/backtests/parts.tsx). */
export const runs = defineMessages({
  en: {
    'runs.status.queued': 'queued',
    'runs.status.running': 'running',
    'runs.status.succeeded': 'succeeded',
    'runs.status.failed': 'failed',
    'runs.status.cancelled': 'cancelled',
    'runs.status.abandoned': 'abandoned',
    'runs.cancelling': ' (cancelling)',
    'runs.progress.queued': 'queued: waiting for a worker slot',
    'runs.progress.loading': 'loading the market panel…',
    'runs.progress.days': ' · {done} of {total} days',
    'runs.progress.eta': ' · ETA {eta}',
    'runs.progress.underSecond': 'under a second',
    'runs.progress.seconds': '{s} s',
    'runs.status.paused': 'paused',
  },
  'zh-CN': {
    'runs.status.queued': '排队中',
    'runs.status.running': '运行中',
    'runs.status.succeeded': '成功',
    'runs.status.failed': '失败',
    'runs.status.cancelled': '已取消',
    'runs.status.abandoned': '已中止',
    'runs.cancelling': '（取消中）',
    'runs.progress.queued': '排队中：等待空闲的工作槽位',
    'runs.progress.loading': '正在加载行情面板…',
    'runs.progress.days': ' · 第 {done}/{total} 天',
    'runs.progress.eta': ' · 预计剩余 {eta}',
    'runs.progress.underSecond': '不到 1 秒',
    'runs.progress.seconds': '{s} 秒',
    'runs.status.paused': '已暂停',
  },
});
