import { Table, TableBody, TableCell, TableHead, TableRow } from '@mui/material';
import { formatMoney } from '../money/MoneyField';
import type { PackageFigure } from './useReports';

/** Sessions and their value per package; allocated credits have no price. */
export const PackageTable = ({
    rows,
    label,
    sessionsLabel,
    lots,
}: {
    rows: Array<PackageFigure & { lots?: number }>;
    label: string;
    sessionsLabel: string;
    lots?: boolean;
}) => (
    <Table size="small" aria-label={label}>
        <TableHead>
            <TableRow>
                <TableCell>Package</TableCell>
                {lots && <TableCell align="right">Lots</TableCell>}
                <TableCell align="right">{sessionsLabel}</TableCell>
                <TableCell align="right">Value</TableCell>
            </TableRow>
        </TableHead>
        <TableBody>
            {rows.map((row) => (
                <TableRow key={`${row.packageId ?? 'allocated'}-${row.currency ?? ''}`}>
                    <TableCell>{row.packageName}</TableCell>
                    {lots && <TableCell align="right">{row.lots}</TableCell>}
                    <TableCell align="right">{row.sessions}</TableCell>
                    <TableCell align="right">{row.currency ? formatMoney(row.valueCents, row.currency) : 'not paid for'}</TableCell>
                </TableRow>
            ))}
        </TableBody>
    </Table>
);
