/** Select choices for a status enum, labelled the way the screens write statuses ("late cancelled"). */
export const statusChoices = (statuses: readonly string[]) =>
    statuses.map(status => ({ id: status, name: status.replace('_', ' ') }));
