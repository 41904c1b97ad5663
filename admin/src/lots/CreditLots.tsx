import { DataTable, DateField, FunctionField, ReferenceManyField } from 'react-admin';
import { WHEN } from '../dates/formats';
import { EmptyState } from '../layout/EmptyState';
import { ExtendLotButton } from './ExtendLotButton';
import { sourceLabel, type Lot } from './lot';

const expiry = (lot: Lot) => (lot.expiresAt === null ? 'Never expires' : lot.expired ? 'Expired' : undefined);

/** The client's credit lots: what each grant has left and when it expires, soonest first (the order bookings use them). */
export const CreditLots = () => (
    <ReferenceManyField label="Credit lots" reference="lots" target="clientId" sort={{ field: 'expiresAt', order: 'ASC' }} perPage={50}>
        <DataTable bulkActionButtons={false} rowClick={false} empty={<EmptyState message="No credit lots yet." />}>
            <DataTable.Col source="source" label="From" disableSort>
                <FunctionField<Lot> render={sourceLabel} />
            </DataTable.Col>
            <DataTable.Col source="remaining" label="Left" align="right" disableSort>
                <FunctionField<Lot> render={(lot) => `${lot.remaining} of ${lot.quantity}`} />
            </DataTable.Col>
            <DataTable.Col source="expiresAt" label="Expires">
                <FunctionField<Lot> render={(lot) => expiry(lot) ?? <DateField source="expiresAt" showTime options={WHEN} />} />
            </DataTable.Col>
            <DataTable.Col source="createdAt" label="Given">
                <DateField source="createdAt" showTime options={WHEN} />
            </DataTable.Col>
            <DataTable.Col label="" disableSort>
                <ExtendLotButton />
            </DataTable.Col>
        </DataTable>
    </ReferenceManyField>
);
