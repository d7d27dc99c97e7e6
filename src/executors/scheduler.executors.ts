import type { Config } from '../config.ts';
import type { ExecutorDefinition, ExecutorRegistry } from '../runs/executor-registry.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { makeCommandExecutor } from './command.executor.ts';
import { makeDataSyncExecutor } from './data-sync.executor.ts';
import { factorExecutor } from './factor.executor.ts';
import { makeWorkflowExecutor } from './workflow.executor.ts';

/**
 * The executors scheduled tasks use: data_sync, command, factor, workflow. `registry` is the
 * server's whole registry, read lazily (a workflow's steps may use any executor, including ones
 * registered after these); `secrets` opens a command's sealed env and arguments. The `backtest`
 * executor comes from the backtest feature.
 */
export function schedulerExecutors(config: Config, registry: () => ExecutorRegistry, secrets: SecretBox | null = null): ExecutorDefinition[] {
  return [makeDataSyncExecutor(config), makeCommandExecutor(secrets), factorExecutor, makeWorkflowExecutor(registry)];
}
