type Tone = 'default' | 'primary' | 'secondary' | 'info' | 'success' | 'warning' | 'error';

/** Every status word the API sends (sessions, bookings, credits, purchases, disputes, emails), as the screens colour it. */
const TONES: Record<string, Tone> = {
    available: 'info',
    scheduled: 'primary',
    confirmed: 'secondary',
    completed: 'success',
    cancelled: 'default',
    late_cancelled: 'warning',
    no_show: 'error',
    pending: 'default',
    held: 'primary',
    consumed: 'success',
    released: 'default',
    forfeited: 'warning',
    complimentary: 'secondary',
    paid: 'success',
    failed: 'error',
    expired: 'default',
    refunded: 'warning',
    partially_refunded: 'warning',
    disputed: 'error',
    needs_response: 'error',
    under_review: 'warning',
    won: 'success',
    lost: 'error',
    sent: 'success',
    skipped: 'default',
    waiting: 'info',
    promoted: 'success',
    left: 'default',
};

/** "late_cancelled" reads "Late cancelled". */
export const statusLabel = (status: string): string => {
    const words = status.replace(/_/g, ' ');
    return words.charAt(0).toUpperCase() + words.slice(1);
};

export const statusTone = (status: string): Tone => TONES[status] ?? 'default';

/** Select choices for a status enum, labelled as the chips write them. */
export const statusChoices = (statuses: readonly string[]) => statuses.map((status) => ({ id: status, name: statusLabel(status) }));
