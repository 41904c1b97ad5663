/** How every date and time reads on screen: "Dec 1, 2026, 9:00 AM" (the browser's time zone). */
export const WHEN: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };
export const DAY: Intl.DateTimeFormatOptions = { dateStyle: 'medium' };

export const formatWhen = (value: string | Date) => new Date(value).toLocaleString(undefined, WHEN);

/** A date picked in the browser's time zone, sent as the instant its day starts. */
export const startOfLocalDay = (value: string) => (value ? new Date(`${value}T00:00`).toISOString() : null);
