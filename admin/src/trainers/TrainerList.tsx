import { DataTable, FunctionField, List, SearchInput } from 'react-admin';
import { trainerName, type Trainer } from './useTrainers';

const filters = [<SearchInput key="q" source="q" alwaysOn placeholder="Name or email" />];

export const TrainerList = () => (
    <List filters={filters} sort={{ field: 'lastName', order: 'ASC' }}>
        <DataTable rowClick={false} bulkActionButtons={false}>
            <DataTable.Col source="lastName" label="Name">
                <FunctionField<Trainer> render={trainerName} />
            </DataTable.Col>
            <DataTable.Col source="email" />
            <DataTable.Col source="phone" disableSort />
        </DataTable>
    </List>
);
