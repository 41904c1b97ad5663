import { DataTable, List, SearchInput } from 'react-admin';
import { BalanceField } from './BalanceField';

const filters = [<SearchInput key="q" source="q" alwaysOn />];

export const ClientList = () => (
    <List filters={filters} sort={{ field: 'lastName', order: 'ASC' }}>
        <DataTable rowClick="show">
            <DataTable.Col source="id" />
            <DataTable.Col source="firstName" />
            <DataTable.Col source="lastName" />
            <DataTable.Col source="email" />
            <DataTable.Col source="availableSessions" label="Available sessions" align="right">
                <BalanceField />
            </DataTable.Col>
        </DataTable>
    </List>
);
