import { Edit } from 'react-admin';
import { PackageForm } from './PackageForm';

// Pessimistic: the API validates packages, so the form waits for its verdict instead of undoing later.
export const PackageEdit = () => (
    <Edit mutationMode="pessimistic">
        <PackageForm canRetire />
    </Edit>
);
