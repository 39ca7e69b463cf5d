/** Version of @icrl/history-store, written into every file (kept equal to package.json by a test). */
export const LIBRARY_VERSION = '0.0.0';
