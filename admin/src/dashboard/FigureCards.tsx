import { Box, Card, CardContent, LinearProgress, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { Link } from 'react-admin';
import { formatMoney } from '../money/MoneyField';
import { useDashboard, type DashboardFigures, type Money } from './useDashboard';

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** A studio selling in one currency shows one amount; in two, both. */
const money = (amounts: Money[]) =>
    amounts.length === 0 ? formatMoney(0, 'usd') : amounts.map((amount) => formatMoney(amount.amountCents, amount.currency)).join(' + ');

const Figure = ({ title, figure, detail, to }: { title: string; figure: ReactNode; detail: ReactNode; to?: string }) => (
    <Card sx={{ height: '100%' }}>
        <CardContent>
            <Typography variant="overline" color="text.secondary" component="h2" sx={{ lineHeight: 1.5 }}>
                {title}
            </Typography>
            <Typography variant="h4" component="p" sx={{ my: 0.5 }}>
                {figure}
            </Typography>
            <Typography variant="body2" color="text.secondary">
                {detail}
            </Typography>
            {to && (
                <Typography variant="body2" sx={{ mt: 1 }}>
                    <Link to={to}>See them</Link>
                </Typography>
            )}
        </CardContent>
    </Card>
);

const seats = (booked: number, capacity: number) => `${booked} of ${plural(capacity, 'seat')} booked`;

const cardsFor = (figures: DashboardFigures) => {
    const { sessionsToday: today, fillRateThisWeek: week, revenueLast30Days, outstandingCredits, pendingPurchases } = figures;
    const cards = [
        <Figure key="today" title="Sessions today" figure={today.sessions} detail={seats(today.booked, today.capacity)} />,
        <Figure
            key="fill"
            title="Fill rate this week"
            figure={week.rate === null ? '—' : `${Math.round(week.rate * 100)}%`}
            detail={
                week.sessions === 0
                    ? 'No sessions this week yet'
                    : `${seats(week.booked, week.capacity)} in ${plural(week.sessions, 'session')}`
            }
        />,
    ];
    if (revenueLast30Days) {
        const paid = revenueLast30Days.map((row) => ({ currency: row.currency, amountCents: row.paidCents }));
        const refunded = revenueLast30Days.map((row) => ({ currency: row.currency, amountCents: row.refundedCents }));
        const net = revenueLast30Days.map((row) => ({ currency: row.currency, amountCents: row.netCents }));
        const purchases = revenueLast30Days.reduce((sum, row) => sum + row.purchases, 0);
        cards.push(
            <Figure
                key="revenue"
                title="Revenue, last 30 days"
                figure={money(net)}
                detail={`${money(paid)} paid in ${plural(purchases, 'purchase')}, ${money(refunded)} refunded`}
            />,
        );
    }
    if (outstandingCredits) {
        const allocated = outstandingCredits.credits - outstandingCredits.paidCredits;
        cards.push(
            <Figure
                key="outstanding"
                title="Outstanding credits"
                figure={money(outstandingCredits.value)}
                detail={`${plural(outstandingCredits.credits, 'credit')} unused: ${outstandingCredits.paidCredits} paid for, ${allocated} given`}
            />,
        );
    }
    if (pendingPurchases) {
        cards.push(
            <Figure
                key="pending"
                title="Pending purchases"
                figure={pendingPurchases.count}
                detail={
                    pendingPurchases.count === 0
                        ? 'No checkout is waiting for payment'
                        : `${money(pendingPurchases.value)} awaiting payment`
                }
                {...(pendingPurchases.count > 0
                    ? { to: `/purchases?filter=${encodeURIComponent(JSON.stringify({ status: 'pending' }))}` }
                    : {})}
            />,
        );
    }
    return cards;
};

/** The day's and the studio's figures; trainers get their own seats only (the API sends them nothing else). */
export const FigureCards = () => {
    const { data, error } = useDashboard();
    if (error) {
        return <Typography color="error">Could not load the studio's figures: {error.message}</Typography>;
    }
    if (!data) {
        return <LinearProgress />;
    }
    return <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))' }}>{cardsFor(data)}</Box>;
};
