/** A session as /api/admin/sessions lists it. */
export interface Session {
    id: number;
    trainerId: number;
    trainerName: string;
    startsAt: string;
    endsAt: string;
    durationMinutes: number;
    capacity: number;
    bookedCount: number;
    seatsLeft: number;
    status: string;
    location: string | null;
    notes: string | null;
    /** Clients waiting for a seat (the API counts them for full sessions' schedule blocks). */
    waitlistCount?: number;
    /** The weekly series it was created in, or null for a one-off. */
    seriesId: string | null;
}

/** A booking as /api/admin/bookings lists it. */
export interface Booking {
    id: number;
    sessionId: number;
    clientId: number;
    clientName: string;
    status: string;
    creditState: string;
    complimentary: boolean;
    startsAt: string;
}

/** Bookings that still hold a seat; the others are history. */
export const isLive = (booking: Booking) => booking.status === 'scheduled' || booking.status === 'confirmed';

export const bookedLabel = (session: Pick<Session, 'bookedCount' | 'capacity' | 'waitlistCount'>) =>
    `${session.bookedCount}/${session.capacity} booked${session.waitlistCount ? ` · ${session.waitlistCount} waiting` : ''}`;

/** What staff mark on a booking (the API's /confirm, /complete, /no-show). */
export type Mark = 'confirm' | 'complete' | 'no-show';
export const MARK_LABELS: Record<Mark, string> = { confirm: 'Confirm', complete: 'Complete', 'no-show': 'No-show' };
