import { useStudio, type Policies } from '../studio/useStudio';

export type { Policies };

/** The policies in force, for wording only ("inside the 24-hour window"); every signed-in user reads them. */
export const usePolicies = (): Policies | undefined => useStudio().data?.policies;

export const hoursOrMinutes = (minutes: number) => (minutes % 60 === 0 ? `${minutes / 60}-hour` : `${minutes}-minute`);
