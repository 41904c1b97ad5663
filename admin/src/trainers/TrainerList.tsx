import { DataTable, List, SearchInput } from 'react-admin';

const filters = [<SearchInput key="q" source="q" alwaysOn placeholder="Name or email" />];

export const TrainerList = () => (
    <List filters={filters} sort={{ field: 'lastName', order: 'ASC' }}>
        <DataTable rowClick={false} bulkActionButtons={false}>
            <DataTable.Col source="id" />
            <DataTable.Col source="firstName" />
            <DataTable.Col source="lastName" />
            <DataTable.Col source="email" />
            <DataTable.Col source="phone" disableSort />
        </DataTable>
    </List>
);
