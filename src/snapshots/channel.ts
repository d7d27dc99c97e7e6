/** The NOTIFY channel on which a publisher announces a new snapshot version (payload: the version id); workers listen to it. */
export const snapshotsChannel = 'zquant_snapshots';
