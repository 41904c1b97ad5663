import { DateTime } from 'luxon';

/**
 * Every date the console shows or reads is in the studio's time zone (STUDIO_TIME_ZONE),
 * wherever the browser is: "Dec 1, 2026, 9:00 AM" means 9:00 at the studio.
 */
let studioZone = 'UTC';

/** Set when the console reads GET /api/studio, before any screen renders (StudioGate). */
export const setStudioTimeZone = (timeZone: string) => {
    studioZone = timeZone;
};

export const studioTimeZone = () => studioZone;

// Read at each use (react-admin's DateField passes these to toLocaleString), so they follow the studio's zone.
export const WHEN: Intl.DateTimeFormatOptions = {
    dateStyle: 'medium',
    timeStyle: 'short',
    get timeZone() {
        return studioZone;
    },
};
export const DAY: Intl.DateTimeFormatOptions = {
    dateStyle: 'medium',
    get timeZone() {
        return studioZone;
    },
};

export const formatWhen = (value: string | Date) => new Date(value).toLocaleString(undefined, WHEN);
export const formatDay = (value: string | Date) => new Date(value).toLocaleDateString(undefined, DAY);
/** "9:00 AM" */
export const formatTime = (value: string | Date) =>
    new Date(value).toLocaleTimeString(undefined, { timeStyle: 'short', timeZone: studioZone });
/** "Tuesday, December 1" */
export const formatWeekday = (value: string | Date) =>
    new Date(value).toLocaleDateString(undefined, { weekday: 'long', month: 'long', day: 'numeric', timeZone: studioZone });

// react-admin's date inputs format a value that may already be formatted: a wall time stays as it is.
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const WALL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

/** The studio's date of an instant, as a date input holds it (YYYY-MM-DD). */
export const studioDateOf = (value: string | Date | null | undefined) => {
    if (typeof value === 'string' && DATE_ONLY.test(value)) {
        return value;
    }
    return value ? (DateTime.fromJSDate(new Date(value), { zone: studioZone }).toISODate() ?? '') : '';
};

export const studioToday = () => DateTime.now().setZone(studioZone).toISODate()!;

/** A date picked (YYYY-MM-DD), sent as the instant the studio's day starts. */
export const startOfStudioDay = (value: string) =>
    value ? DateTime.fromISO(value, { zone: studioZone }).startOf('day').toUTC().toISO() : null;

/** A date picked, sent as the last moment of the studio's day (an expiry "on" that date). */
export const endOfStudioDay = (value: string) =>
    value ? DateTime.fromISO(value, { zone: studioZone }).endOf('day').toUTC().toISO() : null;

/** A date-time input's wall time (YYYY-MM-DDTHH:mm), read as the studio's clock, sent as an instant. */
export const fromStudioWallTime = (value: string) => (value ? DateTime.fromISO(value, { zone: studioZone }).toUTC().toISO() : null);

/** An instant as a date-time input shows it: the studio's wall time. */
export const toStudioWallTime = (value: string | Date | null | undefined) => {
    if (typeof value === 'string' && WALL_TIME.test(value)) {
        return value;
    }
    return value ? DateTime.fromJSDate(new Date(value), { zone: studioZone }).toFormat("yyyy-MM-dd'T'HH:mm") : '';
};

/** Hours since the studio's midnight of the instant's day (9:30 → 9.5). */
export const studioHourOf = (value: string | Date) => {
    const at = DateTime.fromJSDate(new Date(value), { zone: studioZone });
    return at.hour + at.minute / 60;
};
