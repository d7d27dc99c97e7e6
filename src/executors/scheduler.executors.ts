import type { Config } from '../config.ts';
import type { ExecutorDefinition, ExecutorRegistry } from '../runs/executor-registry.ts';
import { commandExecutor } from './command.executor.ts';
import { makeDataSyncExecutor } from './data-sync.executor.ts';
import { factorExecutor } from './factor.executor.ts';
import { makeWorkflowExecutor } from './workflow.executor.ts';

/**
 * The executors scheduled tasks use: data_sync, command, factor, workflow. `registry` is the
 * server's whole registry, read lazily (a workflow's steps may use any executor, including ones
 * registered after these). The `backtest` executor comes from the backtest feature.
 */
export function schedulerExecutors(config: Config, registry: () => ExecutorRegistry): ExecutorDefinition[] {
  return [makeDataSyncExecutor(config), commandExecutor, factorExecutor, makeWorkflowExecutor(registry)];
}
