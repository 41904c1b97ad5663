import LaunchIcon from '@mui/icons-material/Launch';
import { Link } from '@mui/material';
import { usePermissions, useRecordContext } from 'react-admin';

interface WorkflowLinked {
    id: string | number;
    workflowId?: string | null;
    workflowUrl?: string | null;
}

/**
 * The record's workflow id, linking to its history in the Temporal UI (the API builds the
 * URL). Opens a new tab and does not trigger the row's own click. Trainers do not run the
 * studio's books, so they see no workflow.
 */
export const WorkflowLinkField = (_props: { label?: string }) => {
    const record = useRecordContext<WorkflowLinked>();
    const { permissions } = usePermissions<string>();
    if (!record?.workflowId || permissions !== 'admin') {
        return null;
    }
    if (!record.workflowUrl) {
        return <span>{record.workflowId}</span>;
    }
    return (
        <Link
            href={record.workflowUrl}
            target="_blank"
            rel="noopener noreferrer"
            title="Open this workflow's history in the Temporal UI"
            onClick={(event) => event.stopPropagation()}
            sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, wordBreak: 'break-all' }}
        >
            {record.workflowId}
            <LaunchIcon fontSize="inherit" />
        </Link>
    );
};
