import {
    AutocompleteInput,
    ChipField,
    DataTable,
    DateField,
    List,
    ReferenceField,
    ReferenceInput,
    SelectInput,
} from 'react-admin';
import { MoneyField } from '../money/MoneyField';
import { WorkflowLinkField } from '../workflows/WorkflowLinkField';

const STATUSES = ['pending', 'paid', 'failed', 'expired', 'refunded', 'partially_refunded', 'disputed'].map(status => ({
    id: status,
    name: status.replace('_', ' '),
}));

const filters = [
    <ReferenceInput key="clientId" source="clientId" reference="clients" alwaysOn>
        <AutocompleteInput label="Client" sx={{ minWidth: 240 }} />
    </ReferenceInput>,
    <SelectInput key="status" source="status" choices={STATUSES} alwaysOn />,
];

export const PurchaseList = () => (
    <List filters={filters} sort={{ field: 'createdAt', order: 'DESC' }} perPage={25}>
        <DataTable rowClick={false} bulkActionButtons={false}>
            <DataTable.Col source="createdAt" label="Date">
                <DateField source="createdAt" showTime />
            </DataTable.Col>
            <DataTable.Col source="clientId" label="Client">
                <ReferenceField source="clientId" reference="clients" link="show" />
            </DataTable.Col>
            <DataTable.Col source="packageId" label="Package" disableSort>
                <ReferenceField source="packageId" reference="packages" />
            </DataTable.Col>
            <DataTable.NumberCol source="sessions" disableSort />
            <DataTable.Col source="amountCents" label="Amount" align="right">
                <MoneyField source="amountCents" />
            </DataTable.Col>
            <DataTable.Col source="status">
                <ChipField source="status" size="small" />
            </DataTable.Col>
            <DataTable.Col source="refundedCents" label="Refunded" align="right" disableSort>
                <MoneyField source="refundedCents" />
            </DataTable.Col>
            <DataTable.NumberCol source="sessionsOwed" label="Sessions owed" disableSort />
            <DataTable.Col source="paidAt" label="Paid">
                <DateField source="paidAt" showTime />
            </DataTable.Col>
            <DataTable.Col source="workflowId" label="Workflow" disableSort>
                <WorkflowLinkField />
            </DataTable.Col>
        </DataTable>
    </List>
);
