import { Box, Button, ButtonGroup, TextField, Typography } from '@mui/material';
import { DateTime } from 'luxon';
import { useState } from 'react';
import { Title } from 'react-admin';
import { studioTimeZone, studioToday } from '../dates/formats';
import { LiabilityCard } from './LiabilityCard';
import { RollForwardCard } from './RollForwardCard';
import { UsageCard } from './UsageCard';
import type { Period } from './useReports';

/** Whole months on the studio's calendar: "this month" is the first up to today. */
const monthOf = (offset: number): Period => {
    const month = DateTime.now().setZone(studioTimeZone()).startOf('month').plus({ months: offset });
    const last = offset === 0 ? DateTime.fromISO(studioToday()) : month.endOf('month');
    return { from: month.toISODate()!, to: last.toISODate()! };
};

/** The owner's books for a period: what is owed, how it moved, and how the sessions were used. */
export const ReportsPage = () => {
    const [period, setPeriod] = useState<Period>(() => monthOf(0));
    const valid = period.from !== '' && period.to !== '' && period.from <= period.to;
    return (
        <Box sx={{ mt: 2, display: 'grid', gap: 2 }}>
            <Title title="Reports" />
            <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap' }}>
                <TextField
                    label="From"
                    type="date"
                    size="small"
                    value={period.from}
                    onChange={(event) => setPeriod({ ...period, from: event.target.value })}
                    slotProps={{ inputLabel: { shrink: true } }}
                />
                <TextField
                    label="To (included)"
                    type="date"
                    size="small"
                    value={period.to}
                    onChange={(event) => setPeriod({ ...period, to: event.target.value })}
                    slotProps={{ inputLabel: { shrink: true } }}
                />
                <ButtonGroup size="small" variant="outlined">
                    <Button onClick={() => setPeriod(monthOf(0))}>This month</Button>
                    <Button onClick={() => setPeriod(monthOf(-1))}>Last month</Button>
                </ButtonGroup>
                <Typography variant="body2" color="text.secondary">
                    Days on the studio&apos;s calendar ({studioTimeZone()}); a period not over yet is reported up to now.
                </Typography>
            </Box>
            {valid ? (
                <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', lg: '1fr 1fr' }, alignItems: 'start' }}>
                    <RollForwardCard period={period} />
                    <LiabilityCard asOf={period.to} />
                    <Box sx={{ gridColumn: { lg: '1 / span 2' } }}>
                        <UsageCard period={period} />
                    </Box>
                </Box>
            ) : (
                <Typography color="error">Choose a start date on or before the end date.</Typography>
            )}
        </Box>
    );
};
