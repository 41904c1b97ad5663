import { useQuery } from '@tanstack/react-query';
import { callApi } from '../commands/studioApi';
import type { Session } from '../sessions/session';

export interface Money {
    currency: string;
    amountCents: number;
}

export interface Seats {
    sessions: number;
    booked: number;
    capacity: number;
}

/** GET /api/admin/dashboard; a trainer's answer has no money in it (the API leaves it out). */
export interface DashboardFigures {
    timeZone: string;
    periods: { date: string; today: { from: string; to: string } };
    sessionsToday: Seats;
    fillRateThisWeek: Seats & { rate: number | null };
    schedule: Session[];
    revenueLast30Days?: Array<{ currency: string; purchases: number; paidCents: number; refundedCents: number; netCents: number }>;
    outstandingCredits?: { credits: number; paidCredits: number; value: Money[] };
    pendingPurchases?: { count: number; value: Money[] };
}

/** One request for every figure card; each card reads its part (react-query shares the answer). */
export const useDashboard = () =>
    useQuery({
        queryKey: ['dashboard'],
        queryFn: () => callApi<DashboardFigures>('/api/admin/dashboard', { method: 'GET' }),
        refetchInterval: 60_000,
    });
