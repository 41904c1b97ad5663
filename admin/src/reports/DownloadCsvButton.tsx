import DownloadIcon from '@mui/icons-material/Download';
import { Button } from '@mui/material';
import { useState } from 'react';
import { useNotify } from 'react-admin';
import { authToken } from '../providers/authProvider';

/**
 * The report's CSV, with the query the screen shows. A plain link cannot carry the bearer
 * token, so the file is fetched and handed to the browser as a download.
 */
export const DownloadCsvButton = ({ report, params }: { report: string; params: Record<string, string> }) => {
    const notify = useNotify();
    const [busy, setBusy] = useState(false);
    const download = async () => {
        setBusy(true);
        try {
            const response = await fetch(`/api/admin/reports/${report}.csv?${new URLSearchParams(params)}`, {
                headers: { Authorization: `Bearer ${authToken()}` },
            });
            if (!response.ok) {
                const refusal = (await response.json().catch(() => ({}))) as { message?: string };
                throw new Error(refusal.message ?? `The export failed (${response.status}).`);
            }
            const name = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? `${report}.csv`;
            const url = URL.createObjectURL(await response.blob());
            const link = Object.assign(document.createElement('a'), { href: url, download: name });
            link.click();
            URL.revokeObjectURL(url);
        } catch (error) {
            notify(error instanceof Error ? error.message : 'The export failed.', { type: 'error' });
        } finally {
            setBusy(false);
        }
    };
    return (
        <Button size="small" startIcon={<DownloadIcon />} onClick={download} disabled={busy}>
            Download CSV
        </Button>
    );
};
