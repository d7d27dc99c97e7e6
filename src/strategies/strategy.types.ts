/**
 * Strategies as services, routes and views see them (camelCase). Apart from the service so the
 * contract can map them without importing the service that imports the contract (issue 19: no
 * import cycles), and views can name them without the service's dry run and sandbox behind it.
 */

export const strategyCategories = ['trend', 'momentum', 'mean_reversion', 'value', 'volume', 'grid', 'custom'] as const;
export type StrategyCategory = (typeof strategyCategories)[number];

export interface BuiltinStrategy {
  kind: 'builtin';
  name: string;
  title: string;
  description: string;
  category: StrategyCategory;
  paramsSchema: Record<string, unknown>;
}

export interface UserStrategy {
  kind: 'user';
  id: number;
  ownerId: number;
  ownerName: string | null;
  name: string;
  description: string;
  category: string;
  language: 'js' | 'ts';
  version: number;
  versionId: number;
  code: string;
  paramsSchema: Record<string, unknown> | null;
  createdAt: Date;
  updatedAt: Date;
}
