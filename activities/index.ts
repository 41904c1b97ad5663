import type { Settings } from '../config/settings.js';
import type { Orm } from '../model/orm.js';
import { createCreditActivities } from './credits.js';

export interface ActivityDependencies {
  orm: Orm;
  settings: Settings;
}

/** Every activity the worker registers, built over injected dependencies. */
export function createActivities(deps: ActivityDependencies) {
  return {
    ...createCreditActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
