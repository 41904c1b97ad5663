import type { ReactNode } from 'react';
import { DataTable, DateField, FunctionField, NumberField, ReferenceField } from 'react-admin';
import { WHEN } from '../dates/formats';
import { ActorField } from '../people/ActorField';
import { WorkflowLinkField } from '../workflows/WorkflowLinkField';
import { kindLabel } from './kindLabel';

/** Ledger rows: in the ledger list and in a client's page (without the client column there). */
export const LedgerEntries = ({ showClient = true, empty }: { showClient?: boolean; empty?: ReactNode }) => (
    <DataTable bulkActionButtons={false} rowClick={false} empty={empty}>
        <DataTable.Col source="createdAt" label="When">
            <DateField source="createdAt" showTime options={WHEN} />
        </DataTable.Col>
        {showClient && (
            <DataTable.Col source="clientId" label="Client">
                <ReferenceField source="clientId" reference="clients" link="show" />
            </DataTable.Col>
        )}
        <DataTable.Col source="kind" label="What">
            <FunctionField<{ kind: string }> render={(entry) => kindLabel(entry.kind)} />
        </DataTable.Col>
        <DataTable.Col source="delta" label="Available ±" align="right">
            <NumberField source="delta" options={{ signDisplay: 'exceptZero' }} />
        </DataTable.Col>
        <DataTable.Col source="heldDelta" label="Held ±" align="right" disableSort>
            <NumberField source="heldDelta" options={{ signDisplay: 'exceptZero' }} />
        </DataTable.Col>
        <DataTable.NumberCol source="balanceAfter" label="Available after" disableSort />
        <DataTable.Col source="reason" disableSort />
        <DataTable.Col source="actor" label="By" disableSort>
            <ActorField />
        </DataTable.Col>
        <DataTable.Col source="workflowId" label="Workflow" disableSort>
            <WorkflowLinkField />
        </DataTable.Col>
    </DataTable>
);
