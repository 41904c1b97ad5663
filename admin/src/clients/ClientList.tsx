import { DataTable, DateField, FunctionField, List, SearchInput, SelectInput } from 'react-admin';
import { AllocateButton } from '../allocations/AllocateButton';
import { DAY } from '../dates/formats';
import { BalanceField } from './BalanceField';
import { clientName, type ClientOption } from './clientName';

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
            <DataTable.Col source="lastName" label="Name">
                <FunctionField<ClientOption> render={clientName} />
            </DataTable.Col>
            <DataTable.Col source="email" />
            <DataTable.Col source="availableSessions" label="Available" align="right">
                <BalanceField />
            </DataTable.Col>
            <DataTable.NumberCol source="held" disableSort />
            <DataTable.NumberCol source="consumed" disableSort />
            <DataTable.NumberCol source="total" disableSort />
            <DataTable.Col source="createdAt" label="Client since">
                <DateField source="createdAt" options={DAY} />
            </DataTable.Col>
            <DataTable.Col label="" disableSort align="right">
                <AllocateButton compact />
            </DataTable.Col>
        </DataTable>
    </List>
);
