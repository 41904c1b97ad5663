import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { DashboardCard } from '../dashboard/DashboardCard';
import { formatDay } from '../dates/formats';
import { formatMoney } from '../money/MoneyField';
import { DownloadCsvButton } from './DownloadCsvButton';
import { moneyList } from './format';
import { useLiability } from './useReports';

/** Unused credits at the end of the period, per package, at what was paid for them. */
export const LiabilityCard = ({ asOf }: { asOf: string }) => {
    const { data, error, isPending } = useLiability(asOf);
    return (
        <DashboardCard
            title={data ? `Credits owed on ${formatDay(data.asOf)}` : 'Credits owed'}
            action={<DownloadCsvButton report="liability" params={{ asOf }} />}
        >
            {error ? (
                <Typography color="error">{error.message}</Typography>
            ) : isPending ? (
                <Typography color="text.secondary">Valuing the lots…</Typography>
            ) : data.packages.length === 0 ? (
                <Typography color="text.secondary">No unused credits on that date.</Typography>
            ) : (
                <>
                    <Typography variant="h5" component="p" sx={{ mb: 1 }}>
                        {moneyList(data.value)} for {data.sessions.toLocaleString()} sessions
                    </Typography>
                    <Box sx={{ height: 180 }}>
                        <ResponsiveContainer width="100%" height="100%">
                            <BarChart data={data.packages} layout="vertical" margin={{ left: 16, right: 16 }}>
                                <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                                <XAxis type="number" allowDecimals={false} />
                                <YAxis type="category" dataKey="packageName" width={170} />
                                <Tooltip formatter={(value) => [`${value} sessions`, 'Unused']} />
                                <Bar dataKey="sessions" name="Unused sessions" fill="#1976d2" isAnimationActive={false} />
                            </BarChart>
                        </ResponsiveContainer>
                    </Box>
                    <Table size="small" aria-label="Credits owed per package">
                        <TableHead>
                            <TableRow>
                                <TableCell>Package</TableCell>
                                <TableCell align="right">Lots</TableCell>
                                <TableCell align="right">Unused sessions</TableCell>
                                <TableCell align="right">Value</TableCell>
                            </TableRow>
                        </TableHead>
                        <TableBody>
                            {data.packages.map((row) => (
                                <TableRow key={`${row.packageId ?? 'allocated'}-${row.currency ?? ''}`}>
                                    <TableCell>{row.packageName}</TableCell>
                                    <TableCell align="right">{row.lots}</TableCell>
                                    <TableCell align="right">{row.sessions}</TableCell>
                                    <TableCell align="right">
                                        {row.currency ? formatMoney(row.valueCents, row.currency) : 'not paid for'}
                                    </TableCell>
                                </TableRow>
                            ))}
                        </TableBody>
                    </Table>
                </>
            )}
        </DashboardCard>
    );
};
