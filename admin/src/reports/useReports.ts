import { useQuery } from '@tanstack/react-query';
import { callApi } from '../commands/studioApi';
import type { Money } from '../dashboard/useDashboard';

/** The movements of the roll-forward, in the identity's order; the first three add, the rest take away. */
export const MOVEMENTS = ['sold', 'allocated', 'restored', 'used', 'forfeited', 'expired', 'refunded', 'removed'] as const;
export type Movement = (typeof MOVEMENTS)[number];
export const INFLOWS: readonly Movement[] = ['sold', 'allocated', 'restored'];

export type RollForwardLine = { opening: number; closing: number } & Record<Movement, number>;

/** GET /api/admin/reports/roll-forward */
export interface RollForward {
    from: string;
    to: string;
    sessions: RollForwardLine;
    money: Array<RollForwardLine & { currency: string }>;
}

export interface PackageFigure {
    packageId: number | null;
    packageName: string;
    currency: string | null;
    sessions: number;
    valueCents: number;
}

/** GET /api/admin/reports/liability */
export interface Liability {
    asOf: string;
    packages: Array<PackageFigure & { lots: number }>;
    sessions: number;
    value: Money[];
}

export interface UsageRow {
    key: string;
    name: string;
    sessions: number;
    seats: number;
    seatsFilled: number;
    fillRate: number | null;
    bookings: number;
    completed: number;
    noShows: number;
    lateCancels: number;
    cancels: number;
    noShowRate: number | null;
    lateCancelRate: number | null;
    creditsUsed: number;
    revenue: Money[];
}

/** GET /api/admin/reports/usage */
export interface Usage {
    from: string;
    to: string;
    trainers: UsageRow[];
    types: UsageRow[];
    breakage: PackageFigure[];
    breakageRate: number | null;
}

/** A period as the API reads it: studio-local dates, both days included. */
export interface Period {
    from: string;
    to: string;
}

const get = <T>(report: string, params: Record<string, string>) =>
    callApi<T>(`/api/admin/reports/${report}?${new URLSearchParams(params)}`, { method: 'GET' });

export const useRollForward = (period: Period) =>
    useQuery({ queryKey: ['reports', 'roll-forward', period], queryFn: () => get<RollForward>('roll-forward', { ...period }) });

export const useLiability = (asOf: string) =>
    useQuery({ queryKey: ['reports', 'liability', asOf], queryFn: () => get<Liability>('liability', { asOf }) });

export const useUsage = (period: Period) =>
    useQuery({ queryKey: ['reports', 'usage', period], queryFn: () => get<Usage>('usage', { ...period }) });
