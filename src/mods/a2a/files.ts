/** The gateway's file in the data dir: the inbound tasks of each agent, and the external agents added at run time. */
export const A2A_DB_FILE = 'a2a.db'
