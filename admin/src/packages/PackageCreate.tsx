import { Create } from 'react-admin';
import { PackageForm } from './PackageForm';

export const PackageCreate = () => (
    <Create redirect="list">
        <PackageForm defaultValues={{ active: true, currency: 'usd' }} />
    </Create>
);
