import { DataTable, DateField, List, SearchInput, SelectInput } from 'react-admin';
import { BalanceField } from './BalanceField';

const filters = [
    <SearchInput key="q" source="q" alwaysOn placeholder="Name or email" />,
    <SelectInput
        key="lowBalance"
        source="lowBalance"
        label="Balance"
        choices={[
            { id: true, name: 'Low balance' },
            { id: false, name: 'Not low' },
        ]}
    />,
];

export const ClientList = () => (
    <List filters={filters} sort={{ field: 'lastName', order: 'ASC' }}>
        <DataTable rowClick="show" bulkActionButtons={false}>
            <DataTable.Col source="id" />
            <DataTable.Col source="firstName" />
            <DataTable.Col source="lastName" />
            <DataTable.Col source="email" />
            <DataTable.Col source="availableSessions" label="Available" align="right">
                <BalanceField />
            </DataTable.Col>
            <DataTable.NumberCol source="scheduled" disableSort />
            <DataTable.NumberCol source="completed" disableSort />
            <DataTable.NumberCol source="total" disableSort />
            <DataTable.Col source="createdAt" label="Client since">
                <DateField source="createdAt" />
            </DataTable.Col>
        </DataTable>
    </List>
);
