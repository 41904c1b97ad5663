import { Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { DashboardCard } from '../dashboard/DashboardCard';
import { formatMoney } from '../money/MoneyField';
import { DownloadCsvButton } from './DownloadCsvButton';
import { INFLOWS, MOVEMENTS, useRollForward, type Movement, type Period } from './useReports';

/** What each line means to the owner (README, "Reports"). */
const LINES: Record<Movement, string> = {
    sold: 'Sold (purchases paid)',
    allocated: 'Allocated by the studio',
    restored: 'Restored (disputes won)',
    used: 'Used (sessions completed)',
    forfeited: 'Forfeited (late cancels, no-shows)',
    expired: 'Expired unused',
    refunded: 'Refunded or disputed',
    removed: 'Removed by an admin',
};

const sessions = (count: number) => count.toLocaleString();

/** opening + sold + allocated + restored − used − forfeited − expired − refunded − removed = closing, in sessions and money. */
export const RollForwardCard = ({ period }: { period: Period }) => {
    const { data, error, isPending } = useRollForward(period);
    const signed = (movement: Movement, text: string) => `${INFLOWS.includes(movement) ? '+' : '−'} ${text}`;
    return (
        <DashboardCard title="Roll-forward of credits owed" action={<DownloadCsvButton report="roll-forward" params={{ ...period }} />}>
            {error ? (
                <Typography color="error">{error.message}</Typography>
            ) : isPending ? (
                <Typography color="text.secondary">Adding up the ledger…</Typography>
            ) : (
                <Table size="small" aria-label="Roll-forward">
                    <TableHead>
                        <TableRow>
                            <TableCell />
                            <TableCell align="right">Sessions</TableCell>
                            {data.money.map((line) => (
                                <TableCell key={line.currency} align="right">
                                    Value ({line.currency.toUpperCase()})
                                </TableCell>
                            ))}
                        </TableRow>
                    </TableHead>
                    <TableBody>
                        <TableRow>
                            <TableCell sx={{ fontWeight: 'bold' }}>Owed at the start</TableCell>
                            <TableCell align="right">{sessions(data.sessions.opening)}</TableCell>
                            {data.money.map((line) => (
                                <TableCell key={line.currency} align="right">
                                    {formatMoney(line.opening, line.currency)}
                                </TableCell>
                            ))}
                        </TableRow>
                        {MOVEMENTS.map((movement) => (
                            <TableRow key={movement}>
                                <TableCell>{LINES[movement]}</TableCell>
                                <TableCell align="right">{signed(movement, sessions(data.sessions[movement]))}</TableCell>
                                {data.money.map((line) => (
                                    <TableCell key={line.currency} align="right">
                                        {signed(movement, formatMoney(line[movement], line.currency))}
                                    </TableCell>
                                ))}
                            </TableRow>
                        ))}
                        <TableRow>
                            <TableCell sx={{ fontWeight: 'bold' }}>Owed at the end</TableCell>
                            <TableCell align="right" sx={{ fontWeight: 'bold' }}>
                                {sessions(data.sessions.closing)}
                            </TableCell>
                            {data.money.map((line) => (
                                <TableCell key={line.currency} align="right" sx={{ fontWeight: 'bold' }}>
                                    {formatMoney(line.closing, line.currency)}
                                </TableCell>
                            ))}
                        </TableRow>
                    </TableBody>
                </Table>
            )}
        </DashboardCard>
    );
};
