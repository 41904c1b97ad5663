import { DataTable, DateField, ReferenceField } from 'react-admin';
import { WHEN } from '../dates/formats';
import { EmptyState } from '../layout/EmptyState';
import { MoneyField } from '../money/MoneyField';
import { StatusField } from '../status/StatusField';
import { WorkflowLinkField } from '../workflows/WorkflowLinkField';

/** Purchase rows: in the purchases list and in a client's page (without the client column there). */
export const PurchaseEntries = ({ showClient = true }: { showClient?: boolean }) => (
    <DataTable
        rowClick="show"
        bulkActionButtons={false}
        empty={
            <EmptyState
                message="No purchases yet: clients buy packages through the studio's checkout."
                action="See the packages"
                to="/packages"
            />
        }
    >
        <DataTable.Col source="createdAt" label="Date">
            <DateField source="createdAt" showTime options={WHEN} />
        </DataTable.Col>
        {showClient && (
            <DataTable.Col source="clientId" label="Client">
                <ReferenceField source="clientId" reference="clients" link="show" />
            </DataTable.Col>
        )}
        <DataTable.Col source="packageId" label="Package" disableSort>
            <ReferenceField source="packageId" reference="packages" link={false} />
        </DataTable.Col>
        <DataTable.NumberCol source="sessions" disableSort />
        <DataTable.Col source="amountCents" label="Amount" align="right">
            <MoneyField source="amountCents" />
        </DataTable.Col>
        <DataTable.Col source="status">
            <StatusField />
        </DataTable.Col>
        <DataTable.Col source="refundedCents" label="Refunded" align="right" disableSort>
            <MoneyField source="refundedCents" />
        </DataTable.Col>
        <DataTable.NumberCol source="sessionsOwed" label="Sessions owed" disableSort />
        <DataTable.Col source="paidAt" label="Paid">
            <DateField source="paidAt" showTime options={WHEN} />
        </DataTable.Col>
        <DataTable.Col source="workflowId" label="Workflow" disableSort>
            <WorkflowLinkField />
        </DataTable.Col>
    </DataTable>
);
