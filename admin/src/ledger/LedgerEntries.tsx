import { DataTable, DateField, NumberField, ReferenceField } from 'react-admin';
import { WorkflowLinkField } from '../workflows/WorkflowLinkField';

/** Ledger rows: in the ledger list and in a client's page (without the client column there). */
export const LedgerEntries = ({ showClient = true }: { showClient?: boolean }) => (
    <DataTable bulkActionButtons={false} rowClick={false}>
        <DataTable.Col source="createdAt" label="When">
            <DateField source="createdAt" showTime />
        </DataTable.Col>
        {showClient && (
            <DataTable.Col source="clientId" label="Client">
                <ReferenceField source="clientId" reference="clients" link="show" />
            </DataTable.Col>
        )}
        <DataTable.Col source="kind" />
        <DataTable.Col source="delta" label="Available ±" align="right">
            <NumberField source="delta" options={{ signDisplay: 'exceptZero' }} />
        </DataTable.Col>
        <DataTable.Col source="heldDelta" label="Held ±" align="right" disableSort>
            <NumberField source="heldDelta" options={{ signDisplay: 'exceptZero' }} />
        </DataTable.Col>
        <DataTable.NumberCol source="balanceAfter" label="Available after" disableSort />
        <DataTable.Col source="reason" disableSort />
        <DataTable.Col source="actor" disableSort />
        <DataTable.Col source="workflowId" label="Workflow" disableSort>
            <WorkflowLinkField />
        </DataTable.Col>
    </DataTable>
);
